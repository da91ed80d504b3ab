"""KD509 relation-mode-prisma: relationMode = "prisma": no foreign keys, cascades only in Prisma Client"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.relations import CASCADE, MANY_TO_MANY
from analysis.facts.schema import schema_discovery
from analysis.model import Finding, Location, Severity
from analysis.rules.registry import rule
from analysis.rules.schema.common import _finding

RULE = rule(
    "KD509",
    "relation-mode-prisma",
    Severity.INFO,
    area="schema",
    section="schema",
    summary='`relationMode = "prisma"`: no foreign keys in the database; deletes outside Prisma Client leave orphans and cascades happen only in the client',
    short='relationMode = "prisma": no foreign keys, cascades only in Prisma Client',
    rationale="""
        With emulated relations the database enforces nothing. Cascades and Restrict happen
        only when the delete goes through Prisma Client; a delete from psql, a migration, a
        raw query or another service leaves orphans behind and skips the cascade entirely,
        and nothing reports it.
    """,
    trigger="""
        A datasource with `relationMode = "prisma"` (or the older
        `referentialIntegrity = "prisma"`). Info: documents where integrity is enforced.
    """,
    bad="""
        datasource db {
          provider     = "postgresql"
          relationMode = "prisma"
        }
    """,
    bad_lang="prisma",
    good="""
        datasource db {
          provider = "postgresql"
        }
    """,
    good_lang="prisma",
    fix="""
        Use foreign keys (`relationMode = "foreignKeys"`, the default) where the database
        supports them; keep "prisma" only for databases without them (PlanetScale/Vitess),
        and route all deletes through Prisma Client there.
    """,
    module=__name__,
)


@RULE.check
def relation_mode_prisma(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        ds = schema.datasource
        if ds is None or schema.provider == "mongodb" or ds.relation_mode != "prisma":
            continue
        prop = ds.relation_mode_property
        if prop is None:
            continue
        cascades = sum(
            1 for r in schema.relations if r.on_delete == CASCADE and r.kind != MANY_TO_MANY
        )
        extra = (
            f"; its {cascades} onDelete: Cascade relation(s) run only in Prisma Client"
            if cascades
            else ""
        )
        yield _finding(
            "KD509",
            f'relationMode = "prisma" in datasource `{ds.name}`: the database has no foreign '
            "keys, so deletes outside Prisma Client (SQL, another service, a console) leave "
            f"orphan rows{extra}",
            Location(ds.path, prop.line, prop.column),
        )
