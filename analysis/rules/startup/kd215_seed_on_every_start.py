"""KD215 seed-on-every-start: prisma db seed (or a seed script) runs on every container start"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD215",
    "seed-on-every-start",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    checklist=("no-automatic-data-loss",),
    summary="`prisma db seed` or a seed script in the startup path, run on every start",
    short="prisma db seed (or a seed script) runs on every container start",
    rationale="""
        Seeds are written for an empty development database: many start with `deleteMany()`
        to be repeatable, or `createMany()` rows that already exist. Run on every start they
        wipe production tables, reset edited records to their defaults, or pile up duplicates
        with each restart.
    """,
    trigger="""
        `prisma db seed`, a `seed` package.json script, or a seed program (`tsx
        prisma/seed.ts`, `node prisma/seed.js`) in the startup path, run unconditionally on
        each start. Behind an opt-in condition no file turns on: one level lower.
    """,
    bad="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        npx prisma db seed
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        # demo data: seeded once, by hand: docker compose exec api npx prisma db seed
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Seed once, by hand or in a one-shot job, or guard the seed behind an explicit opt-in
        that production never sets, and make the seed idempotent (`upsert`, never
        `deleteMany`).
    """,
    module=__name__,
)
