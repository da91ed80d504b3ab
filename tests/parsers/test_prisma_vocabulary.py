"""One Prisma command vocabulary: the startup walk (`prisma_invocation`), the image's text scan
(`find_prisma_commands`) and the fallback detection normalize every command the same way."""

from __future__ import annotations

import pytest

from analysis.facts.images.commands import find_prisma_commands
from analysis.parsers.prisma_cli import (
    CHANGES_SCHEMA,
    COMMANDS_1,
    COMMANDS_2,
    command_of,
    prisma_invocation,
    spellings,
)

WRITTEN = sorted({*(" ".join(k) for k in COMMANDS_2), *COMMANDS_1})


@pytest.mark.parametrize("written", WRITTEN)
def test_walk_and_scan_agree(written: str) -> None:
    inv = prisma_invocation(("npx", "prisma", *written.split()))
    found = find_prisma_commands(f"npx prisma {written} --schema prisma/schema.prisma")
    assert inv is not None
    assert [f.command for f in found] == [inv.command]
    assert command_of(written.split()) == inv.command


def test_prisma8_spellings_normalize() -> None:
    assert command_of(("db", "update", "--confirm")) == "db push"
    assert command_of(("db", "migrate")) == "migrate deploy"
    assert command_of(("migration", "plan")) == "migrate dev"
    assert command_of(("generate", "--watch")) == "generate"
    assert command_of(("db",)) is None
    assert command_of(("deploy",)) is None


def test_spellings_cover_every_generation() -> None:
    assert set(spellings("db push")) == {"db push", "db update"}
    assert set(spellings("migrate deploy")) == {"migrate deploy", "db migrate"}
    assert set(spellings("generate")) == {"generate", "contract emit"}
    assert spellings("studio") == ("studio",)
    assert spellings("no such command") == ()


def test_a_build_time_db_update_is_a_schema_change() -> None:
    # Prisma 8's `db update` in a RUN is found as the `db push` it is (KD305's input)
    (found,) = find_prisma_commands("RUN npx prisma db update --delete users && echo ok")
    assert found.command == "db push"
    assert found.command in CHANGES_SCHEMA
