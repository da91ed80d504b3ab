"""Hostile shapes (small sizes): deep shell nesting is a located KD001 finding, never an internal
error, and the rest of the project is still analyzed (a critical KD201 elsewhere is reported);
long lists and many services stay linear (checked through the bounded per-command state)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.model import Severity
from analysis.parsers.shell.lexer import MAX_CONDITIONS, MAX_INLINED, MAX_NESTING
from analysis.parsers.shell.scripts import parse_shell_text
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


def _fan_out(depth: int) -> str:
    """`f0() { f1; f1; }` ... `f{depth}() { npx prisma migrate deploy; }` and a call of f0:
    2**depth calls of the last function if every call were walked."""
    text = "".join(f"f{i}() {{ f{i + 1}; f{i + 1}; }}\n" for i in range(depth))
    return text + f"f{depth}() {{ npx prisma migrate deploy; }}\nf0\n"


def test_function_fan_out_below_the_limit_is_walked_in_full() -> None:
    script = parse_shell_text(_fan_out(6), "e.sh")
    assert script.problems == ()
    prisma = [c for c in script.commands if c.words[:1] == ("npx",) and c.reached]
    assert len(prisma) == 2**6


def test_function_fan_out_is_capped_with_a_located_finding() -> None:
    # 2**30 calls if walked call by call: the walk stops inlining at MAX_INLINED commands
    depth = 30
    script = parse_shell_text(_fan_out(depth), "e.sh")
    assert len(script.commands) <= MAX_INLINED + 3 * (depth + 1) + 1
    (problem,) = script.problems
    assert problem.kind == "limit"
    assert problem.location.path == "e.sh" and problem.location.line >= 1
    assert f"more than {MAX_INLINED} commands" in problem.message
    # the prisma command is still found (walked in its function at least once)
    assert any(c.words[:2] == ("npx", "prisma") for c in script.commands)


def test_deep_function_call_chains_stop_at_the_nesting_limit() -> None:
    n = 400
    text = "".join(f"g{i}() {{ g{i + 1}; }}\n" for i in range(n))
    script = parse_shell_text(text + f"g{n}() {{ npx prisma migrate deploy; }}\ng0\n", "e.sh")
    assert len(script.commands) <= 3 * (n + 1)  # linear: each function walked a few times
    (problem,) = script.problems
    assert f"nested deeper than {MAX_NESTING} levels" in problem.message


def test_fan_out_project_reports_the_limit(tmp_path: Path) -> None:
    result = analyze(_project(tmp_path, "fn-fanout", 2000))
    assert result.errors == ()
    assert any(f.rule == "KD001" and "functions" in f.message for f in result.findings)
    assert any(f.rule == "KD201" for f in result.findings)


def test_prisma_list_scans_command_starts_once(tmp_path: Path) -> None:
    from analysis.facts.images.commands import _command_start, find_prisma_commands

    text = " && ".join(["echo a || npx prisma migrate deploy"] * 500)
    found = find_prisma_commands(text)
    assert len(found) == 500
    assert all(
        f.text == text[_command_start(text, f.offset) :].split(" &&")[0].strip() for f in found[:20]
    )


def test_a_path_with_thousands_of_prisma_commands_is_capped_with_a_finding(tmp_path: Path) -> None:
    """70,000 `prisma` commands on one path cost minutes and gigabytes when every one is a
    step with its own findings: past MAX_STEPS the walk says so (KD001) and stops adding."""
    from analysis.facts.startup.paths import startup_paths
    from analysis.facts.startup.records import MAX_STEPS

    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  app:\n    build: .\n    command: sh ./start.sh\n"
        "  web:\n    build: .\n    command: npx prisma db push --accept-data-loss\n"
    )
    (tmp_path / "Dockerfile").write_text("FROM node:20\nCOPY . .\n")
    chain = " && ".join(["npx prisma migrate deploy"] * (MAX_STEPS + 500))
    (tmp_path / "start.sh").write_text(f"#!/bin/sh\n{chain}\n")
    a = analyze(tmp_path)
    capped = [f for f in a.findings if f.rule == "KD001"]
    assert len(capped) == 1 and f"{MAX_STEPS:,}" in capped[0].message
    assert capped[0].location.path == "start.sh" and capped[0].location.line == 2
    app = a.context.fact(startup_paths).for_service("app")
    assert app is not None and len(app.commands) == MAX_STEPS
    assert any(f.rule == "KD201" for f in a.active)  # the other service is still judged
    assert not a.errors


def _prisma_commands_one_by_one(text: str, script: bool) -> list[tuple[int, str, tuple[str, ...]]]:
    """What `find_prisma_commands` finds, each match judged on its own (the definition the
    single forward pass must keep): comment = the match's line starts with `#`."""
    from analysis.facts.images.commands import find_prisma_commands

    out = []
    for f in find_prisma_commands(text):  # without `script`: no comment test at all
        line_start = text.rfind("\n", 0, f.offset) + 1
        if script and text[line_start : f.offset].lstrip().startswith("#"):
            continue
        out.append((f.offset, f.command, f.flags))
    return out


@pytest.mark.parametrize(
    "text",
    [
        "#!/bin/sh\n# npx prisma db push --force-reset\nnpx prisma migrate deploy\n",
        "  # prisma db push\n  prisma migrate deploy && prisma db push --accept-data-loss\n",
        "prisma migrate deploy # prisma db push\n#prisma db push\n\tprisma migrate reset -f",
        "echo x; prisma migrate deploy; prisma db push --force-reset --skip-generate\n" * 40,
        "#\n" + " && ".join(["npx prisma migrate deploy"] * 300) + "\n# prisma db push\n",
        "x=1 prisma db push --schema a.prisma && prisma migrate deploy --schema b.prisma",
    ],
)
def test_prisma_commands_in_a_script_skip_comment_lines_only(text: str) -> None:
    from analysis.facts.images.commands import find_prisma_commands

    found = [(f.offset, f.command, f.flags) for f in find_prisma_commands(text, script=True)]
    assert found == _prisma_commands_one_by_one(text, script=True)
    assert found  # every text has a command outside comments


def test_prisma_step_cap_finding_is_at_the_first_command_past_the_cap(tmp_path: Path) -> None:
    """The cap's KD001 names the command where following stopped (one command a line)."""
    from analysis.facts.startup.records import MAX_STEPS

    write(tmp_path, _base_rest_with_entrypoint(" &&\n".join(["npx prisma migrate deploy"] * 1200)))
    a = analyze(tmp_path)
    capped = [f for f in a.findings if f.rule == "KD001" and f"{MAX_STEPS:,}" in f.message]
    assert len(capped) == 1
    assert capped[0].location.path == "entrypoint.sh"
    assert capped[0].location.line == 2 + MAX_STEPS  # line 2 holds the first command
    assert not a.errors


def _base_rest_with_entrypoint(body: str) -> dict[str, str]:
    files = SHAPES["prisma-list"](1)
    files["entrypoint.sh"] = f'#!/bin/sh\n{body}\nexec "$@"\n'
    return files


def test_long_and_list_ending_with_accept_data_loss_is_critical(tmp_path: Path) -> None:
    """The command at the end of a 20,000-command `&&` list is still followed (its 64 kept
    conditions and all): `db push --accept-data-loss` on the startup path is KD201."""
    chain = " && ".join(f"echo step{i}" for i in range(20_000))
    body = chain + " &&\n  npx prisma db push --accept-data-loss"
    write(tmp_path, _base_rest_with_entrypoint(body))
    a = analyze(tmp_path)
    kd201 = [f for f in a.active if f.rule == "KD201"]
    assert [(f.location.path, f.location.line) for f in kd201] == [("entrypoint.sh", 3)]
    assert kd201[0].severity == Severity.CRITICAL
    assert not a.errors


@pytest.mark.parametrize(("arg", "pushes"), [("migrate", True), ("serve", False)])
def test_argument_tests_in_a_long_list_still_decide_each_command(
    tmp_path: Path, arg: str, pushes: bool
) -> None:
    """`[ "$1" = migrate ] && ... && prisma db push` deep in a long list runs only when the
    script gets `migrate` (each condition's verdict is kept once, not re-read per command)."""
    from analysis.facts.startup.paths import startup_paths

    chain = " && ".join(f"echo step{i}" for i in range(300))
    near = " && ".join(f"echo near{i}" for i in range(10))  # among the 32 nearest conditions
    body = (
        f'{chain} && [ "$1" = migrate ] && {near} && npx prisma db push --accept-data-loss\n'
        "npx prisma migrate deploy"
    )
    files = _base_rest_with_entrypoint(body)
    files["Dockerfile"] = files["Dockerfile"].replace('CMD ["node", "main.js"]', f'CMD ["{arg}"]')
    write(tmp_path, files)
    a = analyze(tmp_path)
    app = a.context.fact(startup_paths).for_service("app")
    assert app is not None
    commands = [s.command for s in app.commands]
    assert ("db push" in commands) is pushes
    assert "migrate deploy" in commands
    assert not a.errors
