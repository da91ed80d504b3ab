"""Reading files the discovery walk found: the quick path gives what the full check gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.context import Context
from analysis.discover import discover
from analysis.sources import read_source


@pytest.mark.parametrize(
    "content",
    [
        "services: {}\r\n",
        "\ufeffFROM node\n",
        b"echo \xff\n",
        b"\x7fELF\x00\x00binary",
        "x" * 70_000 + "\n",
    ],
)
def test_discovered_read_equals_full_check(write_tree, content: str | bytes) -> None:
    root = write_tree({"a.sh": content}).resolve()
    assert read_source(root, "a.sh", discovered=True) == read_source(root, "a.sh")


def test_discovered_read_keeps_limits_and_missing_file_messages(write_tree) -> None:
    root = write_tree({"big.yml": "a: 1\n" * 10}).resolve()
    over = read_source(root, "big.yml", max_bytes=10, discovered=True)
    assert over.source is None and "over the" in over.problem.message  # type: ignore[union-attr]
    gone = read_source(root, "gone.yml", discovered=True)
    assert gone == read_source(root, "gone.yml")
    assert gone.source is None and "cannot read gone.yml" in gone.problem.message  # type: ignore[union-attr]


def test_file_replaced_after_discovery_by_fifo_or_escaping_link(write_tree, tmp_path: Path) -> None:
    root = write_tree({"proj/docker-compose.yml": "services: {}\n", "proj/Dockerfile": "FROM a\n"})
    proj = (root / "proj").resolve()
    outside = tmp_path / "secret.txt"
    outside.write_text("password\n")
    ctx = Context(proj, discover(proj))
    # Both files were discovered as regular files; then they change before they are read.
    (proj / "Dockerfile").unlink()
    os.mkfifo(proj / "Dockerfile")
    (proj / "docker-compose.yml").unlink()
    os.symlink(outside, proj / "docker-compose.yml")
    assert ctx.source("Dockerfile") is None  # not a hang
    assert ctx.source("docker-compose.yml") is None  # the link is checked, not followed out
    messages = sorted(f.message for f in ctx.read_problems)
    assert "not a regular file" in messages[0]
    assert "leaves the project root" in messages[1]


def test_discovered_link_inside_root_is_read(write_tree) -> None:
    root = write_tree({"real/Dockerfile": "FROM node\n"}).resolve()
    os.symlink("real/Dockerfile", root / "Dockerfile")
    ctx = Context(root, discover(root))
    src = ctx.source("Dockerfile")
    assert src is not None and src.text == "FROM node\n"
