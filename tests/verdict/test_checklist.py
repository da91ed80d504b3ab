"""The Data Safety Checklist: items as data, statuses from findings then proofs, and never a
pass without a located piece of evidence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis import checklist as cl
from analysis.catalog import BY_ID
from analysis.checklist import ITEMS, PROVERS, Section, Status, checklist_of
from analysis.facts.startup.records import PrismaStep, StartupFacts
from analysis.model import Finding, Location, Severity, Suppression, normalize_findings
from analysis.parsers.prisma_cli import PrismaInvocation
from analysis.pipeline import run
from analysis.result import Facts
from analysis.sources import read_source
from tests.conftest import EXAMPLES


def test_items_are_the_seeds_in_its_sections_and_order() -> None:
    assert [s.value for s in Section] == [
        "Verified Safe Operations",
        "Documented Warnings",
        "No Dangerous Operations",
    ]
    counts = {s: sum(1 for i in ITEMS if i.section == s) for s in Section}
    assert counts == {
        Section.VERIFIED_SAFE: 10,
        Section.DOCUMENTED_WARNINGS: 4,
        Section.NO_DANGEROUS: 4,
    }
    assert ITEMS[0].text == "Database volume persists data"
    assert len({i.id for i in ITEMS}) == len(ITEMS)
    for item in ITEMS:
        assert item.rules, item.id
        assert all(r in BY_ID for r in item.rules), item.id
        assert item.prover in PROVERS, item.id


def _with(root: Path, *findings: Finding):
    """The checklist of the project at `root` with these findings instead of its own."""
    a = run(root)
    return checklist_of(normalize_findings(list(findings)), a.facts, a.sources)


def test_findings_fail_or_warn_their_items(write_tree) -> None:
    root = write_tree({"docker-compose.yml": "services: {}\n"})
    crit = Finding("KD201", Severity.CRITICAL, "accept-data-loss", Location("start.sh", 4))
    low = Finding("KD206", Severity.LOW, "db push fallback", Location("start.sh", 9))
    info = Finding("KD501", Severity.INFO, "Session.user cascades", Location("s.prisma", 3))
    c = _with(root, crit, low, info)
    item = c.get("no-accept-data-loss")
    assert item.status is Status.FAIL and not item.checked
    assert item.evidence[0].rule == "KD201"
    assert item.evidence[0].location == Location("start.sh", 4)
    assert "KD201" in item.reason and "start.sh:4" in item.reason
    assert c.get("first-run-db-push").status is Status.WARN
    cascades = c.get("cascades-intentional")
    assert cascades.status not in (Status.FAIL, Status.WARN)
    assert any(e.rule == "KD501" for e in cascades.evidence)


def test_suppressed_findings_do_not_break_items(write_tree) -> None:
    root = write_tree({"docker-compose.yml": "services: {}\n"})
    crit = Finding(
        "KD203",
        Severity.CRITICAL,
        "migrate reset",
        Location("start.sh", 4),
        suppressed=Suppression(Location("start.sh", 3), "test"),
    )
    assert _with(root, crit).get("no-migrate-reset").status is not Status.FAIL


def test_a_pass_without_located_evidence_is_unverifiable(write_tree, monkeypatch) -> None:
    root = write_tree({"docker-compose.yml": "services: {}\n"})
    spec = ITEMS[0]
    monkeypatch.setitem(PROVERS, spec.prover, lambda inp: cl.holds([cl.fact(None, "trust me")]))
    item = run(root).checklist.get(spec.id)
    assert item.status is Status.UNVERIFIABLE
    assert "no line" in item.reason
    monkeypatch.setitem(
        PROVERS,
        spec.prover,
        lambda inp: cl.holds([cl.fact(Location("docker-compose.yml", 1), "the volume")]),
    )
    assert run(root).checklist.get(spec.id).status is Status.PASS


def test_a_failing_prover_does_not_take_the_checklist_down(write_tree, monkeypatch) -> None:
    root = write_tree({"docker-compose.yml": "services: {}\n"})

    def boom(inp):
        raise RuntimeError("bug")

    monkeypatch.setitem(PROVERS, ITEMS[1].prover, boom)
    item = run(root).checklist.get(ITEMS[1].id)
    assert item.status is Status.UNVERIFIABLE and "RuntimeError" in item.reason


def assert_pass_has_evidence(root: Path) -> None:
    c = run(root).checklist
    assert len(c.items) == len(ITEMS)
    for item in c.items:
        if item.status is Status.PASS:
            located = [e for e in item.evidence if e.location is not None]
            assert located, f"{item.id} passes without evidence"
            for e in located:
                assert e.location is not None and e.location.line >= 1 and e.text
        if item.status in (Status.NOT_APPLICABLE, Status.UNVERIFIABLE):
            assert item.reason, item.id


@pytest.mark.parametrize("example", ["seed-app", "risky-app", "prisma7-app"])
def test_every_pass_on_the_examples_has_evidence(example: str) -> None:
    root = EXAMPLES / example
    assert_pass_has_evidence(root)


SMALL_TREES = {
    "empty": {"README.md": "nothing here\n"},
    "compose-only": {
        "docker-compose.yml": (
            "services:\n  db:\n    image: postgres:16\n    volumes:\n"
            "      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n"
        )
    },
    "schema-only": {
        "prisma/schema.prisma": (
            'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
            "model User {\n  id Int @id\n  email String @unique\n  posts Post[]\n}\n"
            "model Post {\n  id Int @id\n  userId Int\n"
            "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\n"
        )
    },
}


@pytest.mark.parametrize("name", sorted(SMALL_TREES))
def test_every_pass_on_small_trees_has_evidence(write_tree, name: str) -> None:
    assert_pass_has_evidence(write_tree(SMALL_TREES[name]))


def test_risky_example_breaks_the_persistence_item_and_the_seed_proves_it() -> None:
    seed, risky = EXAMPLES / "seed-app", EXAMPLES / "risky-app"
    a = run(risky)
    assert any(f.rule in ("KD101", "KD102", "KD105") for f in a.active)
    item = a.checklist.get("db-volume-persists")
    assert item.status is Status.FAIL
    assert all(e.location is not None for e in item.evidence if e.rule)
    proof = run(seed).checklist.get("db-volume-persists")
    if proof.status is Status.PASS:
        assert any(
            e.location is not None and e.location.path == "docker-compose.yml"
            for e in proof.evidence
        )


# -- provers over the startup fact's Prisma steps ---------------------------------------------
def _step(
    command: str, flags: tuple[str, ...], context: str, condition: str, location: Location
) -> PrismaStep:
    invocation = PrismaInvocation(command, command, flags, (), "npx")
    text = f"npx prisma {command}"
    return PrismaStep(
        command, flags, invocation, context, location, text, (), "p", "script", condition=condition
    )


ENTRY = """#!/bin/sh
set -e
if [ -d prisma/migrations ]; then
  npx prisma migrate deploy
else
  npx prisma db push
fi
exec "$@"
"""


def _startup_checklist(write_tree, commands: tuple[PrismaStep, ...]):
    root = write_tree({"entrypoint.sh": ENTRY})
    a = run(root)
    sources = {**a.sources, "entrypoint.sh": read_source(root, "entrypoint.sh").source}
    facts = Facts(startup=StartupFacts(paths=(), commands=commands))
    return cl.checklist_of(a.findings, facts, sources)  # type: ignore[arg-type]


def test_startup_provers_cite_the_command_lines(write_tree) -> None:
    deploy = _step("migrate deploy", (), "startup", "", Location("entrypoint.sh", 4))
    push = _step("db push", (), "startup", "no migrations folder", Location("entrypoint.sh", 6))
    c = _startup_checklist(write_tree, (deploy, push))
    flag = c.get("no-accept-data-loss")
    assert flag.status is Status.PASS
    assert [e.location for e in flag.evidence] == [Location("entrypoint.sh", 6)]
    fallback = c.get("first-run-db-push")
    assert fallback.status is Status.WARN
    assert "no migrations folder" in fallback.evidence[0].text
    errors = c.get("error-handling")
    assert errors.status is Status.PASS
    assert Location("entrypoint.sh", 2) in [e.location for e in errors.evidence]
    assert c.get("migration-conflicts-manual").status is Status.PASS
    assert c.get("no-migrate-reset").status is Status.PASS


def test_startup_provers_without_commands_are_not_applicable(write_tree) -> None:
    c = _startup_checklist(write_tree, ())
    for item_id in ("no-accept-data-loss", "first-run-db-push", "no-migrate-reset"):
        item = c.get(item_id)
        assert item.status is Status.NOT_APPLICABLE and item.reason


def test_developer_commands_do_not_count_as_startup(write_tree) -> None:
    dev = _step("migrate deploy", (), "developer", "", Location("entrypoint.sh", 4))
    c = _startup_checklist(write_tree, (dev,))
    assert c.get("migration-conflicts-manual").status is Status.NOT_APPLICABLE
    assert c.get("no-migrate-reset").status is Status.PASS


@dataclass(frozen=True)
class _Change:
    message: str
    location: Location | None


@dataclass(frozen=True)
class _Pending:
    schema: str
    migrations: str
    changes: tuple[_Change, ...]
    skipped: str | None = None


def test_drift_prover_passes_only_with_nothing_pending(write_tree) -> None:
    root = write_tree({"docker-compose.yml": "services: {}\n"})
    a = run(root)

    def item(pending):
        facts = Facts(pending=pending, schemas=())
        return cl.checklist_of(a.findings, facts, a.sources).get("schema-changes-need-migrations")

    clean = item((_Pending("prisma/schema.prisma", "prisma/migrations", ()),))
    assert clean.status is Status.PASS
    assert clean.evidence[0].location == Location("prisma/schema.prisma", 1)
    drift = item(
        (
            _Pending(
                "prisma/schema.prisma",
                "prisma/migrations",
                (_Change("User.age is not created by any migration", Location("s.prisma", 7)),),
            ),
        )
    )
    assert drift.status is Status.WARN and drift.evidence[0].location == Location("s.prisma", 7)
    skipped = item((_Pending("prisma/schema.prisma", "prisma/migrations", (), "parse error"),))
    assert skipped.status is Status.UNVERIFIABLE and "parse error" in skipped.reason
    assert item(()).status is Status.NOT_APPLICABLE


def test_commands_in_the_facts_break_items_even_without_findings(write_tree) -> None:
    push = _step("db push", ("--accept-data-loss",), "startup", "", Location("entrypoint.sh", 6))
    reset = _step("migrate reset", ("--force",), "developer", "", Location("package.json", 9))
    c = _startup_checklist(write_tree, (push, reset))
    for item_id in (
        "no-accept-data-loss",
        "schema-changes-fail-on-data-loss",
        "no-automatic-data-loss",
        "no-accept-data-loss-anywhere",
    ):
        item = c.get(item_id)
        assert item.status is Status.FAIL, item_id
        assert Location("entrypoint.sh", 6) in [e.location for e in item.evidence]
    reset_item = c.get("no-migrate-reset")
    assert reset_item.status is Status.FAIL
    assert reset_item.evidence[0].location == Location("package.json", 9)
