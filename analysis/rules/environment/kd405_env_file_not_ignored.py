"""KD405 env-file-not-ignored: A .env file with secrets is not ignored by git (or is already tracked)"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
        the root is a git repository, also when git tracks the file anyway.
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
    module=__name__,
)
