"""Garbage in: each bad file gives a finding naming it (or a clear error), never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tui.cli import main

GOOD_COMPOSE = """services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata: {}
"""


def run_check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:
    code = main(["check", str(root), "--format", "json", *extra])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, json.loads(out.out), out.err


def findings_for(report: dict, path: str) -> list[dict]:
    return [f for f in report["findings"] if f["path"] == path]


def test_invalid_yaml_is_kd001_with_position_and_other_files_still_analyzed(
    write_tree, capsys
) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n   volumes: [\n",
            "Dockerfile": 'FROM node:20\nENV DATABASE_URL="postgresql://app:hunter2@db:5432/app"\n',
        }
    )
    _, report, _ = run_check(root, capsys)
    compose = findings_for(report, "docker-compose.yml")
    assert [f["rule"] for f in compose] == ["KD001"]
    assert compose[0]["line"] >= 3
    assert any(f["rule"] == "KD304" for f in findings_for(report, "Dockerfile"))
    assert "hunter2" not in json.dumps(report)


def test_binary_dockerfile_is_kd002(write_tree, capsys) -> None:
    root = write_tree(
        {
            "Dockerfile": b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)),
            "docker-compose.yml": GOOD_COMPOSE,
        }
    )
    _, report, _ = run_check(root, capsys)
    found = findings_for(report, "Dockerfile")
    assert [f["rule"] for f in found] == ["KD002"]
    assert "not a text file" in found[0]["message"]


def test_50_mb_compose_file_is_not_read(write_tree, capsys) -> None:
    root = write_tree({"docker-compose.yml": GOOD_COMPOSE})
    big = root / "docker-compose.override.yml"
    with big.open("w") as fh:
        fh.write("services:\n  db:\n    labels:\n")
        line = "      - " + "x" * 90 + "\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    _, report, _ = run_check(root, capsys)
    found = findings_for(report, "docker-compose.override.yml")
    assert [f["rule"] for f in found] == ["KD002"]
    assert "limit" in found[0]["message"]


def test_yaml_alias_bomb_is_refused(write_tree, capsys) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    prev = "a"
    for name in "bcdefghij":
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
        prev = name
    root = write_tree(
        {"docker-compose.yml": "x-bomb:\n" + "\n".join("  " + b for b in bomb) + "\nservices: {}\n"}
    )
    _, report, _ = run_check(root, capsys)
    assert [f["rule"] for f in findings_for(report, "docker-compose.yml")] == ["KD001"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without permission")
def test_unreadable_file_is_kd002(write_tree, capsys) -> None:
    root = write_tree({"docker-compose.yml": GOOD_COMPOSE, "Dockerfile": "FROM node:20\n"})
    (root / "Dockerfile").chmod(0)
    try:
        _, report, _ = run_check(root, capsys)
    finally:
        (root / "Dockerfile").chmod(0o644)
    assert [f["rule"] for f in findings_for(report, "Dockerfile")] == ["KD002"]


def test_unreadable_file_as_root_via_directory_permissions(write_tree, capsys) -> None:
    # A file whose read fails (a FIFO stands in: not a regular file) is a finding, not a hang.
    root = write_tree({"docker-compose.yml": GOOD_COMPOSE})
    os.mkfifo(root / "Dockerfile")
    code, report, _ = run_check(root, capsys)
    assert code in (0, 1)
    assert all(f["path"] != "Dockerfile" or f["rule"] == "KD002" for f in report["findings"])


def test_symlink_loop_is_reported_and_walk_ends(write_tree, capsys) -> None:
    root = write_tree({"docker-compose.yml": GOOD_COMPOSE})
    os.symlink("Dockerfile", root / "Dockerfile.a")
    os.symlink("Dockerfile.a", root / "Dockerfile")
    os.symlink(".", root / "again")
    _, report, _ = run_check(root, capsys)
    assert any(
        f["rule"] == "KD002" and f["path"] in ("Dockerfile", "Dockerfile.a")
        for f in report["findings"]
    )


def test_unreadable_root_and_usage_errors_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert main(["check", str(tmp_path), "--fail-on", "sometimes"]) == 2
    assert main(["explain", "KD999"]) == 2


def test_fail_on_thresholds(write_tree, capsys) -> None:
    root = write_tree({"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n"})
    code, report, _ = run_check(root, capsys)
    assert any(f["rule"] == "KD101" and f["severity"] == "critical" for f in report["findings"])
    assert code == 1
    assert main(["check", str(root), "--fail-on", "never"]) == 0
    capsys.readouterr()


def test_text_output_is_linter_style_and_sorted(write_tree, capsys) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres\n    ports:\n      - '5432:5432'\n"
        }
    )
    main(["check", str(root)])
    lines = capsys.readouterr().out.splitlines()
    body, summary = lines[:-1], lines[-1]
    assert body and all(line.startswith("docker-compose.yml:") for line in body)
    keys = [(int(line.split(":")[1]), int(line.split(":")[2])) for line in body]
    assert keys == sorted(keys)
    assert any(" critical KD101 db-data-not-persisted: " in line for line in body)
    assert summary.startswith(f"{len(body)} findings: ")


def test_broken_config_is_a_usage_error_with_its_line(write_tree, capsys) -> None:
    root = write_tree(
        {
            "keepdata.toml": 'fail-on = "high"\nignore = ["KD999"]\n',
            "docker-compose.yml": GOOD_COMPOSE,
        }
    )
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert "keepdata.toml:2:" in err and "KD999" in err and "Traceback" not in err
