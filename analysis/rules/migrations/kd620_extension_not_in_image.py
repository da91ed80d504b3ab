"""KD620 extension-not-in-image: CREATE EXTENSION for an extension the compose database image does not ship"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
    module=__name__,
)
