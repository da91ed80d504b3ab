"""KD303 migrations-not-in-image: Migrations are applied at start, but .dockerignore or the COPYs leave them out"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD303",
    "migrations-not-in-image",
    Severity.HIGH,
    area="image",
    section="dockerfile",
    summary="the startup path applies migrations, but `.dockerignore` excludes them or no `COPY` brings them into the final stage",
    short="Migrations are applied at start, but .dockerignore or the COPYs leave them out",
    rationale="""
        The start command runs `migrate deploy`, but the image it runs in has no migration
        files: `.dockerignore` excludes `prisma/migrations` (often via a broad `**/*.sql` or
        `prisma/*` with only the schema re-included), or the final stage COPYs just
        `schema.prisma` from the builder. The deploy reports "No migration found", exits 0,
        and the app runs on a schema that never changes, until someone reaches for `db push`.
    """,
    trigger="""
        The startup path applies migrations, and the final stage of the image that runs it
        does not contain the migrations folder: the context's `.dockerignore` excludes it
        (Docker's pattern semantics, `!` re-includes honoured), or no COPY/ADD brings it into
        the final stage. Related: the `.dockerignore` line or the COPY that narrows it.
    """,
    bad="""
        # .dockerignore
        node_modules
        .env*
        **/*.sql
    """,
    bad_lang="gitignore",
    good="""
        # .dockerignore
        node_modules
        .env*
        **/*.sql
        !prisma/migrations/**/migration.sql
    """,
    good_lang="gitignore",
    fix="""
        Make sure the migrations reach the final stage: remove or narrow the `.dockerignore`
        pattern (or re-include with `!prisma/migrations/**`), and COPY the whole `prisma/`
        folder from the builder (`COPY --from=build /app/prisma ./prisma`).
    """,
    module=__name__,
)
