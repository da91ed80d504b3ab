"""KD703 on timestamps of different precision: `20250625_x` named after
`20250604085536_y` is June 25 after June 4, in order (langfuse); a day-only name that sorts
after a later full timestamp, and sequence numbers out of order, still fire."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
SQL = 'CREATE TABLE "t_{n}" ("id" INTEGER NOT NULL);\n'


def kd703(*names: str) -> list:
    tree = {"prisma/schema.prisma": SCHEMA}
    tree["prisma/migrations/migration_lock.toml"] = 'provider = "postgresql"\n'
    for i, name in enumerate(names):
        tree[f"prisma/migrations/{name}/migration.sql"] = SQL.format(n=i)
    return [f for f in run_rule("KD703", tree) if "sorts after" in f.message]


def test_a_day_after_an_earlier_full_timestamp_is_in_order() -> None:
    assert kd703("20250604085536_add_histogram", "20250625_add_pivot", "20250704170658_x") == []


def test_a_day_only_name_after_a_timestamp_of_that_day_is_not_earlier() -> None:
    # `20250625_x` sorts after `20250625093000_y` ('_' after digits): the day has no time
    assert kd703("20250625093000_y", "20250625_x") == []


def test_a_short_number_after_a_timestamp_fires() -> None:
    # `2025071_b` (a digit short: not a date) sorts after `20250709120000_a`
    (f,) = kd703("20250709120000_a", "2025071_b")
    assert f.severity is Severity.MEDIUM
    assert "migration 2025071_b sorts after 20250709120000_a" in f.message


def test_sequence_numbers_out_of_order_still_fire() -> None:
    (f,) = kd703("10_second", "9_first")
    assert "migration 9_first sorts after 10_second" in f.message
