"""KD307 env-in-build-context: .env files reach the build context of an image that copies it"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from analysis.context import Context
from analysis.facts.images.builds import images
from analysis.facts.images.records import EnvFileInContext, Image
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.image.common import _sev, _tidied
from analysis.rules.registry import Examples, rule

RULE = rule(
    "KD307",
    "env-in-build-context",
    Severity.HIGH,
    area="image",
    section="dockerfile",
    summary="`.env` files reach the build context (no `.dockerignore`, or it does not exclude them, or re-includes them with `!`) of an image that copies the context",
    short=".env files reach the build context of an image that copies it",
    rationale="""
        Without a `.dockerignore` that excludes them, `COPY . .` puts `.env`, `.env.local` and
        `.env.production` into an image layer. The production DATABASE_URL then travels with
        every pushed image, and a container started from it with a forgotten `env_file`
        connects to production instead of the intended database.
    """,
    trigger="""
        A `.env*` file (other than an example) inside the build context of an image that
        copies the context (`COPY .`/`ADD .`), where the context has no `.dockerignore`, or
        its `.dockerignore` does not exclude the file, or re-includes it with `!`. An env file
        the checkout lacks but the project names is reported one level lower (it would be
        copied when somebody creates it and builds): the file a template names (`.env.example`
        names `.env`), a compose `env_file:` of a service that builds the image, and
        `.env.local` / `.env.production` when a script, Dockerfile, compose file or
        package.json spells the name (never by convention alone); low when it is named only
        by a template none of whose keys can hold a secret (no password, token, key, URL),
        and low for a present file that holds no secret.
    """,
    bad="""
        # .dockerignore
        node_modules
        dist
    """,
    bad_lang="gitignore",
    good="""
        # .dockerignore
        node_modules
        dist
        .env
        .env.*
        !.env.example
    """,
    good_lang="gitignore",
    fix="""
        Exclude `.env` and `.env.*` in `.dockerignore` (re-include only `.env.example`), pass
        configuration at run time, and rotate credentials from images already pushed.
    """,
    examples=Examples(files={".env": "DATABASE_URL=postgresql://shop:s3cr3t-Pa55@db:5432/shop\n"}),
    module=__name__,
)


def check_env_in_context(image: Image) -> Iterator[Finding]:
    for env in image.env_files:
        if not env.reaches_context or env.copied_by is None:
            continue
        related = [Related(env.copied_by, "this COPY takes it into the image")]
        if env.reincluded_by is not None:
            location = env.reincluded_by.location
            why = f"`{env.reincluded_by.text}` in {env.reincluded_by.path} re-includes it"
        elif image.dockerignore is not None:
            location = env.copied_by
            why = f"{image.dockerignore_path} does not exclude it"
            related.append(
                Related(Location(image.dockerignore_path or ".dockerignore", 1), "no rule for it")
            )
        else:
            location = env.copied_by
            why = (
                f"there is no .dockerignore for {image.dockerfile} "
                f"(nor {image.dockerfile}.dockerignore)"
            )
        if not env.present:
            yield _absent(image, env, location, why, related)
            continue
        related.append(Related(Location(env.path, 1), "the env file"))
        if env.in_final_image:
            where = "the final image: its secrets ship with the image"
        else:
            where = (
                f"the build {env.copied_into or 'stage'}: its secrets stay in that stage's "
                "layers and the build cache, and reach the image with anything copied from it"
            )
        yield Finding(
            "KD307",
            _sev("KD307"),
            f"{env.path} reaches the build context of {image.dockerfile} ({why}) and is copied "
            f"into {where}",
            location,
            tuple(related),
        )


def _absent(
    image: Image, env: EnvFileInContext, location: Location, why: str, related: list[Related]
) -> Finding:
    """A `.env` the checkout lacks but the project names (a template, a compose `env_file:`,
    a script or config that spells `.env.local` / `.env.production`): copied as soon as
    somebody creates it and builds (one level lower: nothing leaks until then)."""
    named_at = Location(env.named_by, env.named_line)
    if env.named_as == "env_file":
        named = "a compose `env_file:` of a service that builds the image reads it"
        related.append(Related(named_at, "the compose `env_file:` that names it"))
    elif env.named_as == "mention":
        named = f"{env.named_by} names it"
        related.append(Related(named_at, "names it here"))
    else:
        named = "its template tells developers to create it"
        related.append(Related(named_at, "the template developers copy it from"))
    return Finding(
        "KD307",
        _sev("KD307").lower(),
        f"{env.path} is not in the checkout, but {named}; "
        f"it would reach the build context of {image.dockerfile} ({why}) and would be copied "
        "into the image when present: a local build ships its secrets",
        location,
        tuple(related),
    )


_SECRET_NAME = lazy_compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|AUTH|CREDENTIAL|URL|DSN|URI",
    re.IGNORECASE,
)
"""A key whose value can be a secret: a password, token or key, or a URL (credentials)."""


def _no_secret_named(ctx: Context, env: EnvFileInContext) -> tuple[str, ...] | None:
    """The keys of the template a missing `.env` is copied from, when none of them can hold
    a secret (peppermint's `apps/client/.env.example`: `NEXT_PUBLIC_CLIENT_VERSION` only);
    None when one can, or the template cannot be read."""
    from analysis.parsers.dotenv_file import parse_dotenv

    if env.named_as in ("env_file", "mention") or not env.named_by:
        return None
    parsed = ctx.parse(env.named_by, parse_dotenv)
    if parsed is None or not parsed.entries:
        return None
    keys = tuple(dict.fromkeys(e.key for e in parsed.entries))
    return None if any(_SECRET_NAME.search(k) for k in keys) else keys


def _holds_no_secret(ctx: Context, rel: str) -> bool:
    """The env file sets nothing secret (pingvin-share's backend/prisma/.env: a SQLite path)."""
    from analysis.parsers.dotenv_file import parse_dotenv
    from analysis.rules.environment.common import _secret_entries

    parsed = ctx.parse(rel, parse_dotenv)
    return parsed is not None and not _secret_entries(parsed.entries)


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    for image in ctx.fact(images):
        absent = {e.path: e for e in image.env_files if not e.present}
        present = {e.path for e in image.env_files if e.present}
        for f in check_env_in_context(image):
            path = f.message.split(" ", 1)[0]
            if path in present and _holds_no_secret(ctx, path):
                f = replace(
                    f,
                    severity=Severity.LOW,
                    message=f"{f.message}; but it holds no secret (no password, token or URL "
                    "with credentials): reported low",
                )
            env = absent.get(path)
            keys = _no_secret_named(ctx, env) if env is not None else None
            if keys is not None:
                f = replace(
                    f,
                    severity=Severity.LOW,
                    message=f"{f.message}; but its template names no secret "
                    f"({', '.join(keys[:4])}{' ...' if len(keys) > 4 else ''}): reported low",
                )
            yield f
