"""KD702 on a Prisma enum named like a builtin type: mirlo's `enum Interval` is created as
`"Interval"` and used as `"interval" "Interval"`; the quoted name is the enum, not
PostgreSQL's INTERVAL, so there is no type drift. A column of the builtin INTERVAL type under
a String field still fires."""

from __future__ import annotations

from tests.rules.harness import run_rule

DS = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
SCHEMA = DS + (
    "enum Interval {\n  MONTH\n  YEAR\n}\nmodel Tier {\n  id Int @id\n  interval {type}\n}\n"
)
SQL = (
    "CREATE TYPE \"Interval\" AS ENUM ('MONTH', 'YEAR');\n"
    'CREATE TABLE "Tier" ("id" INTEGER NOT NULL, "interval" {column} NOT NULL,'
    ' CONSTRAINT "Tier_pkey" PRIMARY KEY ("id"));\n'
)


def kd702(field_type: str, column: str) -> list:
    return run_rule(
        "KD702",
        {
            "prisma/schema.prisma": SCHEMA.replace("{type}", field_type),
            "prisma/migrations/20240101000000_init/migration.sql": SQL.replace("{column}", column),
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
        },
    )


def test_a_quoted_enum_named_interval_is_the_enum() -> None:
    assert kd702("Interval", '"Interval"') == []


def test_the_builtin_interval_under_a_string_field_fires() -> None:
    (f,) = kd702("String", "INTERVAL")
    assert "Tier.interval" in f.message and "INTERVAL" in f.message
