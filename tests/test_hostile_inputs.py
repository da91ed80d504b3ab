"""Hostile shapes (small sizes): deep shell nesting is a located KD001 finding, never an internal
error, and the rest of the project is still analyzed (a critical KD201 elsewhere is reported);
long lists and many services stay linear (checked through the bounded per-command state)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.model import Severity
from analysis.parsers.shell import MAX_CONDITIONS, MAX_NESTING, parse_shell_text
from benchmarks.bench_hostile import SHAPES, write

KD201_SERVICE = """
  migrate:
    image: node:20
    command: npx prisma db push --accept-data-loss
"""


def _project(tmp_path: Path, shape: str, size: int) -> Path:
    files = SHAPES[shape](size)
    compose = files["docker-compose.yml"]
    head, volumes = compose.rsplit("\nvolumes:\n", 1)
    files["docker-compose.yml"] = head + KD201_SERVICE + "volumes:\n" + volumes
    write(tmp_path, files)
    return tmp_path


@pytest.mark.parametrize("shape", ["deep-if", "deep-subst"])
def test_deep_shell_nesting_is_a_located_finding(tmp_path: Path, shape: str) -> None:
    result = analyze(_project(tmp_path, shape, 6000))
    assert result.errors == ()
    nesting = [f for f in result.findings if f.rule == "KD001" and "nesting deeper" in f.message]
    assert nesting, [f.message for f in result.findings if f.rule == "KD001"]
    finding = nesting[0]
    assert finding.location.path == "entrypoint.sh"
    assert finding.location.line >= 1
    assert f"{MAX_NESTING} levels" in finding.message
    kd201 = [f for f in result.findings if f.rule == "KD201"]
    assert kd201 and kd201[0].location.path == "docker-compose.yml"
    assert kd201[0].severity == Severity.CRITICAL


def test_nesting_in_a_package_json_script_raises_nothing(tmp_path: Path) -> None:
    deep = "if true; then " * 200 + "npx prisma migrate deploy" + "; fi" * 200
    script = parse_shell_text(deep, "package.json", 3, 5)
    assert any("nesting deeper" in p.message for p in script.problems)
    assert any(c.words[:2] == ("npx", "prisma") for c in script.commands)


def test_nesting_at_the_limit_still_parses() -> None:
    depth = MAX_NESTING - 1
    text = "if true; then\n" * depth + "npx prisma migrate deploy\n" + "fi\n" * depth
    script = parse_shell_text(text, "e.sh")
    assert script.problems == ()
    (prisma,) = [c for c in script.commands if c.words[:1] == ("npx",)]
    assert len(prisma.conditions) == min(depth, MAX_CONDITIONS)


def test_long_and_list_keeps_bounded_conditions() -> None:
    n = 3000
    text = " && ".join(f"echo {i}" for i in range(n)) + " && npx prisma migrate deploy"
    script = parse_shell_text(text, "e.sh")
    last = script.commands[-1]
    assert last.words == ("npx", "prisma", "migrate", "deploy")
    assert len(last.conditions) == MAX_CONDITIONS
    # the outermost and the nearest items of the list are the ones kept
    assert last.conditions[0].text == "echo 0"
    assert last.conditions[-1].text == f"echo {n - 1}"
    short = parse_shell_text('[ "$RUN" = 1 ] && echo a && npx prisma db push', "e.sh")
    assert [c.text for c in short.commands[-1].conditions] == ['[ "$RUN" = 1 ]', "echo a"]


def test_many_compose_services_are_looked_up_by_name(tmp_path: Path) -> None:
    result = analyze(_project(tmp_path, "compose-services", 40_000))
    assert result.errors == ()
    assert sum(1 for f in result.findings if f.rule == "KD201") == 1
