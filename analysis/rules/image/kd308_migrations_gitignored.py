"""KD308 migrations-gitignored: .gitignore hides the migrations while something applies them"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD308",
    "migrations-gitignored",
    Severity.HIGH,
    area="image",
    section="dockerfile",
    summary='`.gitignore` matches the migrations folder or `migration.sql` while something applies migrations: the local checkout has them, the repository and every clean build do not, so `migrate deploy` reports "No migration found" and the app starts on an empty database',
    short=".gitignore hides the migrations while something applies them",
    rationale="""
        The migrations exist on the laptop that wrote them, so everything works locally. The
        repository, every clean clone and every CI or platform build lack them: `migrate
        deploy` reports "No migration found" and succeeds, and the app starts on an empty (or
        stale) database. The usual reaction is `db push`, and the project ends up without any
        history at all.
    """,
    trigger="""
        A `.gitignore` (any level, git's semantics) matches the migrations folder or its
        `migration.sql` files, while something in the project applies migrations (`migrate
        deploy` in a startup, deploy or build path).
    """,
    bad="""
        # .gitignore
        node_modules
        .env
        prisma/migrations/
    """,
    bad_lang="gitignore",
    good="""
        # .gitignore
        node_modules
        .env
        prisma/dev.db*
    """,
    good_lang="gitignore",
    fix="""
        Remove the pattern, `git add prisma/migrations` and commit every migration folder,
        including `migration_lock.toml`.
    """,
    module=__name__,
)
