"""KD509 relation-mode-prisma: relationMode = "prisma": no foreign keys, cascades only in Prisma Client"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
