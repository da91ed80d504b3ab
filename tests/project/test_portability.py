"""Install anywhere: keepdata's own container image recipe (.ci/Dockerfile), Windows line
endings (CRLF files give the same findings, on the same lines, as LF) and Windows-style paths."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analysis import settings as settings_mod
from analysis.engine import analyze
from analysis.parsers.dockerfile import parse_dockerfile_text
from analysis.report.ci_formats import display_path, github_annotation, located
from analysis.suppress import path_matches
from tests.conftest import EXAMPLES, REPO
from tui.cli import main

DOCKERFILE = REPO / ".ci" / "Dockerfile"


# -- the container image recipe --------------------------------------------------------------
def test_image_recipe_parses_cleanly_with_keepdatas_own_parser() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    parsed = parse_dockerfile_text(text, ".ci/Dockerfile")
    assert not parsed.problems, [p.message for p in parsed.problems]
    [stage] = parsed.stages
    image, _, tag = stage.image.partition(":")
    assert image == "python" and tag.endswith("-slim")
    major, minor = (int(x) for x in tag.removesuffix("-slim").split(".")[:2])
    assert (major, minor) >= (3, 11)  # pyproject's requires-python
    assert stage.workdir == "/src"
    assert stage.entrypoint is not None and stage.entrypoint.exec_form == ("keepdata",)
    assert stage.cmd is not None and stage.cmd.exec_form == ("check", ".")
    assert any("pip install ." in r.command for r in stage.runs)
    assert any("git" in r.command.split() for r in stage.runs)  # keepdata reads history
    # every COPY source exists in the build context (the repository root)
    sources = [src for c in stage.copies for src in c.sources]
    assert sources and all((REPO / src).exists() for src in sources), sources
    assert {"pyproject.toml", "analysis", "tui"} <= set(sources)


def test_image_recipe_has_no_finding_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.read_text(encoding="utf-8"))
    result = analyze(tmp_path, settings_mod.load(tmp_path))
    assert [f"{f.rule} {f.message}" for f in result.active] == []


def _docker_usable() -> str | None:
    """Why the image cannot be built here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker info failed: {exc}"
    if info.returncode != 0:
        return "no docker daemon"
    base = "python:3.12-slim"
    have = subprocess.run(["docker", "image", "inspect", base], capture_output=True, timeout=60)
    if have.returncode != 0:
        pulled = subprocess.run(["docker", "pull", base], capture_output=True, timeout=600)
        if pulled.returncode != 0:
            return f"cannot pull {base} (no registry access)"
    return None


def test_image_builds_and_checks_a_mounted_project() -> None:
    why = _docker_usable()
    if why is not None:
        pytest.skip(why)
    tag = "keepdata-test-image"
    build = subprocess.run(
        ["docker", "build", "-q", "-f", str(DOCKERFILE), "-t", tag, str(REPO)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    try:
        version = subprocess.run(
            ["docker", "run", "--rm", tag, "-V"], capture_output=True, text=True, timeout=120
        )
        assert version.stdout.startswith("keepdata ")
        seed = subprocess.run(
            ["docker", "run", "--rm", "-v", f"{EXAMPLES / 'seed-app'}:/src:ro", tag],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert seed.returncode == 0, seed.stderr
        assert "KD206" in seed.stdout
        risky = subprocess.run(
            ["docker", "run", "--rm", "-v", f"{EXAMPLES / 'risky-app'}:/src:ro", tag, "check"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert risky.returncode == 1
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, timeout=120)


# -- CRLF line endings -----------------------------------------------------------------------
def _copy(src: Path, dst: Path, crlf: bool) -> list[str]:
    """Copy a project; with `crlf`, every text file gets Windows line endings. Returns the
    files converted."""
    converted = []
    for f in sorted(src.rglob("*")):
        if not f.is_file():
            continue
        out = dst / f.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        data = f.read_bytes()
        if crlf and b"\0" not in data and b"\n" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            converted.append(f.relative_to(src).as_posix())
        out.write_bytes(data)
    return converted


def _findings(root: Path) -> list[tuple[object, ...]]:
    result = analyze(root, settings_mod.load(root))
    return sorted(
        (
            f.rule,
            f.severity.label,
            f.location.path,
            f.location.line,
            f.location.column,
            f.location.last_line,
            f.message,
            tuple((r.location.path, r.location.line, r.message) for r in f.related),
            f.suppressed.reason if f.suppressed else None,
        )
        for f in result.findings
    )


EXTRA = {
    # suppressions and config read the same with CRLF
    "keepdata.toml": 'fail-on = "medium"\n\n[per-file-ignores]\n"prisma/migrations/**" = ["KD607"]\n',
    "prisma/migrations/20990101000000_later/migration.sql": (
        "-- AlterTable\n"
        "-- keepdata-ignore KD602: both columns are unused since v3\n"
        'ALTER TABLE "User" DROP COLUMN "name",\n'
        'DROP COLUMN "email";\n'
    ),
}


@pytest.mark.parametrize("example", ["risky-app", "seed-app"])
def test_crlf_files_give_the_same_findings_and_lines(tmp_path: Path, example: str) -> None:
    lf, crlf = tmp_path / "lf" / "app", tmp_path / "crlf" / "app"  # names reach messages
    _copy(EXAMPLES / example, lf, crlf=False)
    converted = _copy(EXAMPLES / example, crlf, crlf=True)
    for rel, text in EXTRA.items():
        (lf / rel).parent.mkdir(parents=True, exist_ok=True)
        (lf / rel).write_bytes(text.encode())
        (crlf / rel).parent.mkdir(parents=True, exist_ok=True)
        (crlf / rel).write_bytes(text.replace("\n", "\r\n").encode())
    names = {rel.rsplit("/", 1)[-1] for rel in converted}
    assert {"docker-compose.yml", "schema.prisma", "migration.sql", "package.json"} <= names
    assert "Dockerfile" in names
    if example == "risky-app":
        assert any(n.startswith(".env") for n in names)
    want, got = _findings(lf), _findings(crlf)
    assert len(want) > 5
    assert got == want
    suppressed = [f for f in got if f[0] == "KD602" and f[8]]
    assert len(suppressed) >= 1 and all(
        f[8] == "both columns are unused since v3" for f in suppressed
    )


def test_crlf_check_output_is_byte_for_byte_the_same(tmp_path: Path, capsys) -> None:
    lf, crlf = tmp_path / "lf" / "app", tmp_path / "crlf" / "app"
    _copy(EXAMPLES / "seed-app", lf, crlf=False)
    _copy(EXAMPLES / "seed-app", crlf, crlf=True)
    codes = []
    outputs = []
    for root in (lf, crlf):
        codes.append(main(["check", str(root), "--color", "never", "--format", "text"]))
        outputs.append(capsys.readouterr().out)
    assert codes[0] == codes[1]
    assert outputs[0] == outputs[1]


# -- Windows-style paths ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "rel", "shown"),
    [
        ("examples\\seed-app", "prisma/schema.prisma", "examples/seed-app/prisma/schema.prisma"),
        ("examples\\seed-app\\", "docker-compose.yml", "examples/seed-app/docker-compose.yml"),
        (".\\examples\\seed-app", "Dockerfile", "examples/seed-app/Dockerfile"),
        ("..\\other\\app", "Dockerfile", "../other/app/Dockerfile"),
        (".\\", "Dockerfile", "Dockerfile"),
        ("examples\\seed-app", ".", "examples/seed-app"),
        ("examples\\seed-app", "", "examples/seed-app"),
        ("C:\\work\\shop", "prisma/schema.prisma", "C:/work/shop/prisma/schema.prisma"),
        ("examples/seed-app", "prisma/schema.prisma", "examples/seed-app/prisma/schema.prisma"),
    ],
)
def test_display_path_reads_windows_separators(label: str, rel: str, shown: str) -> None:
    assert display_path(label, rel) == shown


def test_annotations_from_a_windows_root_name_the_repository_file() -> None:
    result = analyze(EXAMPLES / "seed-app", settings_mod.load(EXAMPLES / "seed-app"))
    [item, *_] = located("examples\\seed-app", result.active)
    assert item.path.startswith("examples/seed-app/") and "\\" not in item.path
    assert f"file={item.path}," in github_annotation(item)


@pytest.mark.parametrize(
    ("pattern", "hit"),
    [
        ("prisma\\migrations\\**", True),
        ("prisma\\migrations\\20240101000000_init\\migration.sql", True),
        (".\\prisma\\migrations\\", True),
        ("prisma\\schema.prisma", False),
    ],
)
def test_per_file_ignores_accept_windows_separators(pattern: str, hit: bool) -> None:
    path = "prisma/migrations/20240101000000_init/migration.sql"
    assert path_matches(path, pattern) is hit
