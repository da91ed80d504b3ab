"""KD620 extension-not-in-image: CREATE EXTENSION for an extension the compose database image does not ship"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.migrations.common import (
    _finding,
    _Items,
    _postgres_databases,
    _requested_extensions,
    _ships,
    migration_items,
)
from analysis.rules.registry import Examples, rule

# -- example trees --
_MIGRATION = "prisma/migrations/20250501000000_embeddings/migration.sql"
_VECTOR = 'CREATE EXTENSION IF NOT EXISTS "vector";\n'
# --

RULE = rule(
    "KD620",
    "extension-not-in-image",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    summary='a migration runs `CREATE EXTENSION` (or the datasource lists `extensions = [...]`) for an extension that the compose database image does not ship (e.g. `vector`, `vectors`, `postgis`, `timescaledb` on plain `postgres`; `pgvector/pgvector`, `ankane/pgvector` ship `vector`, `postgis/postgis` ships `postgis`, `timescale/timescaledb*` ships `timescaledb`, a derived image ships what its Dockerfile installs; honour `extensions = [pgvector(map: "vector")]`): `migrate deploy` fails and leaves a failed migration that blocks every later one. Unknown images: say nothing',
    short="CREATE EXTENSION for an extension the compose database image does not ship",
    rationale="""
        `CREATE EXTENSION vector` on the plain `postgres` image fails ("extension is not
        available"). `migrate deploy` leaves the migration failed and refuses every later
        one (P3009), so the deploy is stuck until someone edits history with `migrate
        resolve` or, on a fresh environment, resets the database.
    """,
    trigger="""
        A migration's `CREATE EXTENSION` (or the datasource's `extensions = [...]`, honouring
        `pgvector(map: "vector")`) for an extension the compose database image does not ship:
        `vector`, `vectors`, `postgis`, `timescaledb` on plain `postgres`. Images that ship
        them (pgvector/pgvector, ankane/pgvector: vector; postgis/postgis: postgis;
        timescale/timescaledb*: timescaledb; a derived image: what its Dockerfile installs)
        are fine; unknown images are not judged.
    """,
    bad="""
        # docker-compose.yml (prisma/migrations/0_init/migration.sql:
        #   CREATE EXTENSION IF NOT EXISTS "vector";)
        services:
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: pgvector/pgvector:pg16
    """,
    good_lang="yaml",
    fix="""
        Use an image that ships the extension (same major version as before, so the volume
        stays readable), or build one with the extension installed, before deploying the
        migration.
    """,
    examples=Examples(files={_MIGRATION: _VECTOR}),
    module=__name__,
)


def extension_not_in_image(ctx: Context, items: _Items) -> Iterator[Finding]:
    dbs = _postgres_databases(ctx)
    if not dbs:
        return
    seen: set[tuple[str, str, int]] = set()
    for ext, loc, where in _requested_extensions(ctx, items):
        key = (ext, loc.path, loc.line)
        if key in seen:
            continue
        seen.add(key)
        lacking = [db for db in dbs if _ships(ctx, db, ext) is False]
        if not lacking:
            continue
        related: list[Related] = []
        names: list[str] = []
        for db in lacking:
            service = db.service
            image = db.image
            names.append(f"{image} (service {service})")
            db_loc = db.image_location or db.location
            if isinstance(db_loc, Location):
                related.append(Related(db_loc, f"service {service} runs image {image}"))
        images = ", ".join(names)
        yield _finding(
            "KD620",
            f"{where} needs PostgreSQL extension {ext!r}, which "
            f"{'image' if len(lacking) == 1 else 'images'} {images} "
            f"{'does' if len(lacking) == 1 else 'do'} not ship: `migrate deploy` fails there and "
            "leaves a failed migration that blocks every later one",
            loc,
            related,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return extension_not_in_image(ctx, ctx.fact(migration_items))
