"""KD307 env-in-build-context: .env files reach the build context of an image that copies it"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
        its `.dockerignore` does not exclude the file, or re-includes it with `!`.
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
    module=__name__,
)
