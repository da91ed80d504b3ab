"""Reading files the discovery walk found: the quick path gives what the full check gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.context import Context
from analysis.discover import discover
from analysis.sources import digest_bytes, read_source, using_read


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


@pytest.mark.parametrize(
    "content", ["services: {}\r\n", "\ufeffFROM node\n", b"echo \xff\n", b"\x7fELF\x00binary"]
)
def test_bytes_read_already_give_what_reading_gives(write_tree, content: str | bytes) -> None:
    root = write_tree({"a.sh": content}).resolve()
    data = (root / "a.sh").read_bytes()
    expected = read_source(root, "a.sh", discovered=True)
    (root / "a.sh").write_text("something else\n")  # the caller's bytes win, not the disk's
    with using_read({str(root): {"a.sh": (data, digest_bytes(data))}}):
        assert read_source(root, "a.sh", discovered=True) == expected
        # a path discovery did not vouch for, or one over the limit: read from disk as ever
        assert read_source(root, "a.sh").source.text == "something else\n"  # type: ignore[union-attr]
        assert read_source(root, "a.sh", max_bytes=4, discovered=True).source is None
    assert read_source(root, "a.sh", discovered=True).source.text == "something else\n"  # type: ignore[union-attr]
