"""KD621 sqlite-redefine-with-referential-actions: SQLite table redefinition on D1/libSQL: the swap cascades into child rows"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.migrations.common import (
    _enforcing_platform,
    _finding,
    _Items,
    _q,
    _replays,
    migration_items,
)
from analysis.rules.registry import Examples, rule

# -- example trees --
_WRANGLER = """\
name = "shop-worker"
main = "src/index.ts"
compatibility_date = "2024-11-01"

[[d1_databases]]
binding = "DB"
database_name = "shop"
database_id = "6f1c1f4e-2b9c-4c3e-9a57-3c1f0e5d8a21"
migrations_dir = "prisma/migrations"
"""
_SCHEMA = """\
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["driverAdapters"]
}

datasource db {
  provider = "sqlite"
  url      = "file:./dev.db"
}

model User {
  id       String  @id
  email    String
  nickname String  @default("")
  posts    Post[]
}

model Post {
  id       String @id
  authorId String
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)
}
"""
_INIT = """\
-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Post" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "authorId" TEXT NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
"""
# --

RULE = rule(
    "KD621",
    "sqlite-redefine-with-referential-actions",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "cascades-intentional"),
    summary="a SQLite `-- RedefineTables` copy-and-swap of a table that other tables reference with `onDelete: Cascade` or `SetNull` (explicit, or the SetNull default of optional relations), in a project that runs its migrations where foreign keys stay enforced during the swap: Cloudflare D1 (`wrangler.toml`/`wrangler.jsonc` with `d1_databases`, `@prisma/adapter-d1`) or libSQL/Turso (`libsql://` URLs, `@prisma/adapter-libsql`). There `PRAGMA foreign_keys=OFF` does nothing inside the transaction, so dropping the old table deletes or nulls the children. Info on plain SQLite, where Prisma's pragmas turn the checks off for the swap",
    short="SQLite table redefinition on D1/libSQL: the swap cascades into child rows",
    rationale="""
        To change a SQLite table Prisma copies it to `new_X`, drops `X` and renames the copy,
        relying on `PRAGMA foreign_keys=OFF`. Cloudflare D1 and libSQL/Turso run the
        migration inside a transaction where that pragma does nothing, so `DROP TABLE "X"`
        fires the foreign key actions: every child with `onDelete: Cascade` is deleted and
        every child with SetNull loses its reference, in production, by a migration that
        only added a column.
    """,
    trigger="""
        A `-- RedefineTables` copy-and-swap of a table that other tables reference with
        `onDelete: Cascade` or `SetNull` (explicit, or the SetNull default of optional
        relations), in a project that runs migrations on Cloudflare D1 (wrangler
        `d1_databases`, `@prisma/adapter-d1`) or libSQL/Turso (`libsql://` URLs,
        `@prisma/adapter-libsql`). Info on plain SQLite, where the pragma works.
    """,
    bad="""
        -- prisma/migrations/20241201100000_user_nickname/migration.sql
        PRAGMA defer_foreign_keys=ON;
        PRAGMA foreign_keys=OFF;
        CREATE TABLE "new_User" ("id" TEXT NOT NULL PRIMARY KEY, "email" TEXT NOT NULL,
          "nickname" TEXT NOT NULL DEFAULT '');
        INSERT INTO "new_User" ("id", "email") SELECT "id", "email" FROM "User";
        DROP TABLE "User";
        ALTER TABLE "new_User" RENAME TO "User";
        PRAGMA foreign_keys=ON;
        PRAGMA defer_foreign_keys=OFF;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241201100000_user_nickname/migration.sql
        -- An ADD COLUMN needs no table swap, so no child rows are touched.
        ALTER TABLE "User" ADD COLUMN "nickname" TEXT NOT NULL DEFAULT '';
    """,
    good_lang="sql",
    fix="""
        Rewrite the migration so the referenced table is not redefined (`ALTER TABLE ... ADD
        COLUMN`/`RENAME COLUMN` where SQLite allows it). Where a swap is unavoidable, copy the
        children aside and restore them after the swap, and test the migration on a D1/Turso
        copy with data.
    """,
    examples=Examples(
        files={
            "prisma": None,
            "wrangler.toml": _WRANGLER,
            "prisma/schema.prisma": _SCHEMA,
            "prisma/migrations/migration_lock.toml": 'provider = "sqlite"\n',
            "prisma/migrations/20241101000000_init/migration.sql": _INIT,
        },
    ),
    module=__name__,
)


def sqlite_redefine_referenced(ctx: Context, items: _Items) -> Iterator[Finding]:
    platform: Location | bool | None = False
    for h, m, r in _replays(items):
        if (h.provider or "") != "sqlite":
            continue
        for rd in r.redefinitions:
            refs = [
                fk
                for fk in rd.referenced_by
                if (fk.on_delete or "").upper() in ("CASCADE", "SET NULL")
            ]
            if not refs:
                continue
            if platform is False:
                platform = _enforcing_platform(ctx)
            enforcing = isinstance(platform, Location)
            names = ", ".join(f"{_q(fk.table)} (ON DELETE {fk.on_delete})" for fk in refs)
            names = ("tables " if len(refs) > 1 else "table ") + names
            if enforcing:
                msg = (
                    f"migration {m.name} redefines table {_q(rd.table)} (copy, DROP TABLE, "
                    f"rename) while {names} reference{'' if len(refs) > 1 else 's'} it, on a platform where foreign keys stay "
                    "enforced during the swap: dropping the old table deletes or nulls those "
                    "rows"
                )
                sev = Severity.HIGH
                related: tuple[Related, ...] = (
                    (Related(platform, "D1 / libSQL: PRAGMA foreign_keys=OFF does nothing here"),)
                    if isinstance(platform, Location)
                    else ()
                )
            else:
                msg = (
                    f"migration {m.name} redefines table {_q(rd.table)} while {names} "
                    f"reference{'' if len(refs) > 1 else 's'} it: safe on plain SQLite, where Prisma's PRAGMAs turn the checks off, but "
                    "on D1 or libSQL the DROP TABLE would delete or null those rows"
                )
                sev = Severity.INFO
                related = ()
            related += tuple(
                Related(
                    Location(fk.created.path, fk.created.line), f"foreign key of {_q(fk.table)}"
                )
                for fk in refs
            )
            yield _finding("KD621", msg, Location(m.path, rd.drop_line), related, sev)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return sqlite_redefine_referenced(ctx, ctx.fact(migration_items))
