"""KD402 weak-db-password: A default-looking database password (postgres, password, changeme, 123456, ...)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.model import Finding, Location, Severity
from analysis.rules.environment.common import _weak_passwords
from analysis.rules.registry import rule

RULE = rule(
    "KD402",
    "weak-db-password",
    Severity.HIGH,
    area="environment",
    section="environment",
    summary="a default-looking password (postgres, password, root, admin, example, changeme, 123456, ...)",
    short="A default-looking database password (postgres, password, changeme, 123456, ...)",
    rationale="""
        Internet-wide scanners try exactly these passwords on every open 5432 and 3306. Bots
        log in, drop the databases and leave a single table with a ransom note; the data is
        rarely returned. A default password plus a published port (KD403) is how that
        happens to hobby projects and production alike.
    """,
    trigger="""
        A database password (in compose, `.env`, a URL, or a Dockerfile) equal to a common
        default: postgres, password, root, admin, example, secret, changeme, 123456, the user
        name, and similar.
    """,
    bad="""
        # .env
        POSTGRES_USER=postgres
        POSTGRES_PASSWORD=postgres
        DATABASE_URL=postgresql://postgres:postgres@db:5432/shop
    """,
    bad_lang="dotenv",
    good="""
        # .env (generated with: openssl rand -base64 24)
        POSTGRES_USER=shop
        POSTGRES_PASSWORD=q3Vn0c6p7Zt2yR1kXf8hLw4sJm9e
        DATABASE_URL=postgresql://shop:q3Vn0c6p7Zt2yR1kXf8hLw4sJm9e@db:5432/shop
    """,
    good_lang="dotenv",
    fix="""
        Generate a random password per environment. Note that POSTGRES_PASSWORD only applies
        when the volume is initialised: change an existing one with `ALTER USER ... PASSWORD`.
    """,
    module=__name__,
)


def check_weak_passwords(stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    """One finding per place that sets a weak password (a `.env` line used by several
    services is reported once)."""
    seen: set[Location] = set()
    for finding in _weak_passwords(stacks):
        if finding.location not in seen:
            seen.add(finding.location)
            yield finding


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_weak_passwords(ctx.fact(compose_stacks))
