"""KD702 pending-destructive-change: The next migrate dev would drop, narrow or make required something with data"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.named import NAMED_FACTS
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.drift.common import _related
from analysis.rules.registry import Examples, rule

# -- example trees --
_INIT = "prisma/migrations/20241201000000_users/migration.sql"
_LOCK = "prisma/migrations/migration_lock.toml"
_USERS = """\
-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
"""
# --

RULE = rule(
    "KD702",
    "pending-destructive-change",
    Severity.HIGH,
    area="drift",
    section="schema",
    checklist=("schema-changes-need-migrations", "no-destructive-without-warning"),
    summary="the pending difference drops a table or column, makes a column required, changes a type, or removes an enum value: the data it would lose, named",
    short="The next migrate dev would drop, narrow or make required something with data",
    rationale="""
        The difference between the schema and the replayed migrations is what the next
        `migrate dev` will write. When that difference drops a table or column, changes a
        type, makes a column required or removes an enum value, the destructive migration is
        already decided in the schema, usually by a rename or a cleanup that was not meant to
        delete anything; it only needs someone to run the command and commit the output.
    """,
    trigger="""
        The pending difference between the schema and the replayed migrations drops a table
        or column, makes a column required, changes a column's type, or removes an enum
        value. The finding names the table, column or value that would lose data.
    """,
    bad="""
        model User {
          id       String @id
          fullName String // was `name` in the last migration: the next migration drops it
        }
    """,
    bad_lang="prisma",
    good="""
        model User {
          id       String @id
          fullName String @map("name")
        }
    """,
    good_lang="prisma",
    fix="""
        For renames use `@map`/`@@map` (or edit the generated migration into a RENAME); for
        real removals and tightenings, plan a backfill or export first and review the
        generated SQL before committing it.
    """,
    examples=Examples(
        files={"prisma/migrations": None, _INIT: _USERS, _LOCK: 'provider = "postgresql"\n'}
    ),
    module=__name__,
)


@RULE.check
def pending_destructive_change(ctx: Context) -> Iterator[Finding]:
    """KD702: the pending difference would lose data."""
    for pc in ctx.fact(NAMED_FACTS["pending"]):  # no schema: not even imported
        for ch in pc.destructive:
            if ch.location is not None:
                loc, related = ch.location, _related(ch)
            elif ch.created is not None:
                # The schema no longer has the thing: point at where it was created.
                loc = Location(ch.created.path, ch.created.line)
                related = (Related(Location(pc.schema, 1), "the schema no longer declares it"),)
            else:
                loc, related = Location(pc.schema, 1), ()
            yield Finding("KD702", BY_ID["KD702"].severity, ch.message, loc, related)
