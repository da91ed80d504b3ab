"""The foundation: layering, reading files safely, masking secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.discover import classify, discover
from analysis.secrets import mask_secrets, strip_control
from analysis.sources import FileKind, read_source
from tests.conftest import REPO


def test_analysis_does_not_import_textual_or_tui() -> None:
    code = (
        "import sys, analysis.engine, analysis.report.check_output, tui.cli;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('textual','tui.app') or m.startswith('tui.app')];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("docker-compose.yml", FileKind.COMPOSE),
        ("compose.yaml", FileKind.COMPOSE),
        ("docker-compose.prod.yml", FileKind.COMPOSE),
        ("deploy/compose.override.yaml", FileKind.COMPOSE),
        ("Dockerfile", FileKind.DOCKERFILE),
        ("dockerfile", FileKind.DOCKERFILE),  # docker build accepts the lower-case name too
        ("server/Containerfile", FileKind.DOCKERFILE),
        ("docker/Dockerfile.prod", FileKind.DOCKERFILE),
        ("api.Dockerfile", FileKind.DOCKERFILE),
        ("Dockerfile.dockerignore", FileKind.DOCKERIGNORE),
        ("apps/web/package.json", FileKind.PACKAGE_JSON),
        (".env.local", FileKind.ENV),
        ("prisma/schema/user.prisma", FileKind.PRISMA_SCHEMA),
        ("prisma/migrations/20240101000000_init/migration.sql", FileKind.MIGRATION_SQL),
        ("prisma.config.ts", FileKind.PRISMA_CONFIG),
        ("fly.toml", FileKind.PLATFORM),
        ("README.md", None),
        ("config.yml", None),
    ],
)
def test_classify_by_name(path: str, kind: FileKind | None) -> None:
    assert classify(path) is kind


def test_discover_skips_vendored_and_build_folders(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services: {}\n",
            "node_modules/pkg/docker-compose.yml": "services: {}\n",
            "dist/Dockerfile": "FROM node\n",
            ".git/config": "",
            "apps/api/Dockerfile": "FROM node\n",
        }
    )
    inv = discover(root)
    assert inv.of(FileKind.COMPOSE) == ("docker-compose.yml",)
    assert inv.of(FileKind.DOCKERFILE) == ("apps/api/Dockerfile",)


def test_symlink_loop_and_escape_are_findings_not_crashes(write_tree, tmp_path: Path) -> None:
    root = write_tree({"proj/docker-compose.yml": "services: {}\n"}, tmp_path)
    proj = root / "proj"
    os.symlink(proj, proj / "loop")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM node\n")
    os.symlink(outside / "Dockerfile", proj / "Dockerfile")
    inv = discover(proj)
    assert inv.of(FileKind.COMPOSE) == ("docker-compose.yml",)
    messages = [f.message for f in inv.problems]
    assert any("leaves the project root" in m for m in messages)


def test_read_source_reports_binary_oversize_and_bad_utf8(write_tree) -> None:
    root = write_tree(
        {"Dockerfile": b"\x7fELF\x00\x00binary", "big.yml": "a: 1\n" * 10, "x.sh": b"echo \xff\n"}
    )
    assert "not a text file" in read_source(root, "Dockerfile").problem.message  # type: ignore[union-attr]
    over = read_source(root, "big.yml", max_bytes=10)
    assert over.source is None and "over the" in over.problem.message  # type: ignore[union-attr]
    bad = read_source(root, "x.sh")
    assert bad.source is not None and bad.problem is not None
    assert (bad.problem.location.line, bad.problem.location.column) == (1, 6)


def test_mask_secrets_in_urls_and_assignments() -> None:
    assert (
        mask_secrets("postgresql://app:s3cret@db:5432/app") == "postgresql://app:****@db:5432/app"
    )
    assert mask_secrets("POSTGRES_PASSWORD=hunter2") == "POSTGRES_PASSWORD=****"
    assert (
        mask_secrets("POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}")
        == "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}"
    )


def test_strip_control_removes_escape_sequences() -> None:
    assert strip_control("ok\x1b[31mred\x1b[0m\x07\n") == "okred\n"
    assert strip_control("\x1b]0;title\x07x") == "x"
