"""KD405 env-file-not-ignored: A .env file with secrets is not ignored by git (or is already tracked)"""

from __future__ import annotations

import re
from collections.abc import Iterator

from analysis.context import Context
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Related, Severity
from analysis.parsers.dotenv_file import DotenvEntry, parse_dotenv
from analysis.parsers.gitignore import gitignore_matcher
from analysis.rules.environment.common import _finding, _is_template, _secret_entries, tracked_files
from analysis.rules.registry import Examples, rule
from analysis.sources import FileKind

RULE = rule(
    "KD405",
    "env-file-not-ignored",
    Severity.HIGH,
    area="environment",
    section="environment",
    summary="a `.env` with secrets is not ignored by `.gitignore` (and, when git is there, is tracked)",
    short="A .env file with secrets is not ignored by git (or is already tracked)",
    rationale="""
        A committed `.env` puts the database password in the repository's history, where it
        stays after the file is deleted. Everyone with read access (and every CI log that
        prints the checkout) can reach the database; removing it from history takes a rewrite
        and a credential rotation.
    """,
    trigger="""
        A `.env`, `.env.local`, `.env.production` or similar file that contains a secret
        (a password variable or a URL with a password) and that no `.gitignore` matches; when
        the root is a git repository, also when git tracks the file anyway. Not a file
        whose comments say its values are mocked (dummy, placeholder, fake: a build-time
        file) when every secret in it is a stand-in (`AAAA`, `1234`, `changeme`).
    """,
    bad="""
        # .gitignore
        node_modules
        dist
    """,
    bad_lang="gitignore",
    good="""
        # .gitignore
        node_modules
        dist
        .env
        .env.*
        !.env.example
    """,
    good_lang="gitignore",
    fix="""
        Ignore `.env*` (keep a `.env.example` without real values), `git rm --cached .env` if
        it is tracked, and rotate every credential it contained.
    """,
    examples=Examples(files={".env": "DATABASE_URL=postgresql://shop:s3cr3t-Pa55@db:5432/shop\n"}),
    module=__name__,
)


_SAYS_MOCKED = lazy_compile(r"^\s*#.*\b(mock|mocked|dummy|placeholder|fake)\b", re.I | re.M)
_STAND_IN_WORD = lazy_compile(r"dummy|placeholder|changeme|change_me|mock|fake|example", re.I)


def _stand_in(value: str) -> bool:
    """A value nobody would use for real: one repeated character (`AAAA`), a run of digits
    counted up (`1234`), or a word saying so (`dummy`, `placeholder`, `changeme`)."""
    v = value.strip()
    return (
        (len(v) >= 3 and len(set(v)) == 1)
        or (len(v) >= 3 and v in "0123456789")
        or _STAND_IN_WORD.search(v) is not None
    )


def _mocked(ctx: Context, rel: str, secrets: list[DotenvEntry]) -> bool:
    """The file says in a comment that its values are mocked (spliit's `scripts/build.env`:
    "all possible env vars with mocked values", copied in only for the build) and every
    secret in it is a stand-in: nothing real is committed."""
    source = ctx.source(rel)
    if source is None or _SAYS_MOCKED.search(source.text) is None:
        return False
    return all(_stand_in(e.value or "") for e in secrets)


@RULE.check
def check_env_files_ignored(ctx: Context) -> Iterator[Finding]:
    env_files = [r for r in ctx.files(FileKind.ENV) if not _is_template(r)]
    if not env_files:
        return
    matcher = None
    tracked: frozenset[str] | None = None
    tracked_known = False
    for rel in env_files:
        parsed = ctx.parse(rel, parse_dotenv)
        if parsed is None:
            continue
        secrets = _secret_entries(parsed.entries)
        if not secrets or _mocked(ctx, rel, secrets):
            continue
        if matcher is None:
            matcher = ctx.fact(gitignore_matcher)
        if not tracked_known:
            tracked = tracked_files(ctx.root)
            tracked_known = True
        ignored = matcher.ignored(rel)
        is_tracked = tracked is not None and rel in tracked
        names = ", ".join(dict.fromkeys(e.key for e in secrets[:4]))
        more = " ..." if len(secrets) > 4 else ""
        first = parsed.location(secrets[0])
        if is_tracked:
            extra = (
                f" (.gitignore line {ignored.line} ignores it, but that does not apply to files "
                "already tracked)"
                if ignored is not None
                else ""
            )
            yield _finding(
                "KD405",
                f"{rel} holds secrets ({names}{more}) and git tracks it{extra}: they are in the "
                "repository's history; `git rm --cached` it, add it to .gitignore and rotate "
                "the secrets",
                first,
                [Related(ignored.location, "this .gitignore line")] if ignored else [],
            )
        elif ignored is None:
            state = "" if tracked is None else " (not committed yet)"
            yield _finding(
                "KD405",
                f"{rel} holds secrets ({names}{more}) and no .gitignore ignores it{state}: one "
                "`git add .` publishes them; add it to .gitignore (commit a .env.example "
                "without values instead)",
                first,
            )
