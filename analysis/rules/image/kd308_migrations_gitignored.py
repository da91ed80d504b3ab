"""KD308 migrations-gitignored: .gitignore hides the migrations while something applies them"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.builds import images
from analysis.facts.images.records import Image
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.gitignore import gitignore_matcher
from analysis.rules.image.common import _migration_folders, _project_migrate_commands, _sev, _tidied
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


def check_migrations_gitignored(ctx: Context, all_images: tuple[Image, ...]) -> Iterator[Finding]:
    matcher = ctx.fact(gitignore_matcher)
    if not matcher.files and matcher.exclude is None:
        return
    applies: list[Location] | None = None
    for folder, sqls in sorted(_migration_folders(ctx).items()):
        pattern = matcher.ignored(folder, is_dir=True)
        what = folder
        if pattern is None:
            probe = sqls or (f"{folder}/20240101000000_init/migration.sql",)
            hits = [p for p in (matcher.ignored(f) for f in probe) if p is not None]
            if not hits:
                continue
            pattern = hits[0]
            what = f"{folder}/*/migration.sql"
        if applies is None:
            applies = _project_migrate_commands(ctx, all_images)
        home = posixpath.dirname(posixpath.dirname(folder))
        mine = [loc for loc in applies if home in ("", ".") or loc.path.startswith(home + "/")]
        if not mine:
            continue
        state = (
            "this checkout has them, the repository and every clean build do not"
            if sqls
            else "the folder is missing here too, as in every clean clone"
        )
        yield Finding(
            "KD308",
            _sev("KD308"),
            f"`{pattern.text}` in {pattern.path} makes git ignore {what}, while the project "
            f"applies migrations: {state}, so `migrate deploy` finds no migration and the app "
            "starts on an empty database",
            pattern.location,
            tuple(Related(loc, "migrations are applied here") for loc in mine[:3]),
        )


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    return check_migrations_gitignored(ctx, ctx.fact(images))
