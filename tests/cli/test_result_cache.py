"""The result cache of `keepdata check` (tui.result_cache): a hit prints exactly what the
analysis would, and any change to what the output depends on is a miss."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import tui.result_cache
from tests.cli.helpers import M, check, git, mutate, write
from tests.conftest import EXAMPLES, REPO
from tui.cli import main
from tui.result_cache import MAGIC, cache_dir, evict


def entries() -> list[Path]:
    return sorted(Path(cache_dir(), "results").glob("*/*"))


def without_time(text: str) -> str:
    return re.sub(r'"endTimeUtc": "[^"]*"', '"endTimeUtc": "T"', text)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "junit"])
def test_a_hit_prints_what_the_analysis_prints(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], analyses: list[Path]
) -> None:
    # a copy: keepdata's own repository changes under the test when other branches commit
    root = str(shutil.copytree(EXAMPLES / "risky-app", tmp_path / "risky-app"))
    cold = check(capsys, "--format", fmt, root)
    assert len(analyses) == 1 and len(entries()) == 1
    cached = check(capsys, "--format", fmt, root)
    assert len(analyses) == 1, "the second run read the cache"
    uncached = check(capsys, "--no-cache", "--format", fmt, root)
    assert len(analyses) == 2
    assert cold[1] == cached[1] == uncached[1] == 1
    if fmt == "sarif":  # the log records when the run ended: the rest is the same
        assert "\0" not in cached[0]
        assert without_time(cold[0]) == without_time(cached[0]) == without_time(uncached[0])
    else:
        assert cold[0] == cached[0] == uncached[0]


def test_output_file_and_quiet_from_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], analyses: list[Path]
) -> None:
    out = tmp_path / "out.json"
    seed = shutil.copytree(EXAMPLES / "seed-app", tmp_path / "seed-app")
    argv = ["check", "--format", "json", "-o", f"{tmp_path}/./out.json", str(seed)]
    assert main(argv) == 0
    first, cold_err = out.read_text(), capsys.readouterr().err
    out.unlink()
    assert main(argv) == 0
    assert len(analyses) == 1
    assert out.read_text() == first and capsys.readouterr().err == cold_err == f"wrote {out}\n"


CHANGES: dict[str, Callable[[Path], None]] = {
    "compose": lambda r: mutate(
        r, "docker-compose.yml", "      - pgdata:/var/lib/postgresql/data\n", ""
    ),
    "dockerfile": lambda r: mutate(
        r, "Dockerfile", "COPY . .\n", "COPY . .\nRUN npx prisma migrate deploy\n"
    ),
    "script a Dockerfile runs": lambda r: mutate(
        r, "bin/boot", "migrate deploy", "db push --accept-data-loss"
    ),
    "schema": lambda r: mutate(
        r, "prisma/schema.prisma", "  name String\n", "  name String\n  age Int\n"
    ),
    "migration": lambda r: mutate(
        r, f"{M}/20240101000000_init/migration.sql", "", 'DROP TABLE "Old";\n'
    ),
    "migration added": lambda r: write(
        r, f"{M}/20240201000000_drop/migration.sql", 'ALTER TABLE "User" DROP COLUMN "name";\n'
    ),
    "migration removed": lambda r: shutil.rmtree(r / M / "20240101000000_init"),
    "package.json": lambda r: mutate(
        r, "package.json", '"node server.js"', '"prisma db push --force-reset && node server.js"'
    ),
    ".env": lambda r: mutate(r, ".env", "s3cret-long-enough-password", "postgres"),
    "keepdata.toml": lambda r: write(r, "keepdata.toml", 'fail-on = "critical"\n'),
    "folder added": lambda r: (r / "prisma" / "migrations" / "20240301000000_empty").mkdir(),
    "script removed": lambda r: (r / "bin" / "boot").unlink(),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_input_change_is_a_miss(
    change: str, project: Path, capsys: pytest.CaptureFixture[str], analyses: list[Path]
) -> None:
    before = check(capsys, "--format", "json", str(project))
    assert check(capsys, "--format", "json", str(project)) == before
    assert len(analyses) == 1
    CHANGES[change](project)
    after = check(capsys, "--format", "json", str(project))
    assert len(analyses) == 2, f"{change}: the run after the change analyzed again"
    assert after == check(capsys, "--no-cache", "--format", "json", str(project))
    assert after != before, f"{change}: the test's change should change the output"


def test_options_environment_and_version_are_part_of_the_key(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = ["--format", "json", str(project)]
    runs = [
        base,
        ["--ignore", "KD101", *base],
        ["--fail-on", "critical", *base],
        ["--format", "text", str(project)],
    ]
    outputs = [check(capsys, *argv) for argv in runs]
    assert len(analyses) == 4
    assert [check(capsys, *argv) for argv in runs] == outputs
    assert len(analyses) == 4
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    check(capsys, "--format", "text", str(project))
    assert len(analyses) == 5
    monkeypatch.setattr(tui.result_cache, "__version__", "99.0")
    check(capsys, *base)
    assert len(analyses) == 6


def test_a_commit_that_moves_the_base_is_a_miss(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KEEPDATA_ALL_MIGRATIONS", raising=False)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "init")
    write(
        project,
        f"{M}/20240201000000_drop/migration.sql",
        'ALTER TABLE "User" DROP COLUMN "name";\n',
    )
    new = check(capsys, "--format", "json", str(project))
    assert check(capsys, "--format", "json", str(project)) == new and len(analyses) == 1
    git(project, "add", "-A")  # the index changes (KD405 reads what git tracks)
    staged = check(capsys, "--format", "json", str(project))
    assert len(analyses) == 2 and staged == new
    git(project, "commit", "-qm", "drop")  # the base moves: the drop is applied history now
    committed = check(capsys, "--format", "json", str(project))
    assert len(analyses) == 3
    assert committed == check(capsys, "--no-cache", "--format", "json", str(project))
    drops = [f for f in json.loads(committed[0])["findings"] if f["rule"] == "KD602"]
    assert drops and all(f["history"] for f in drops)
    assert committed != new


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"",
        lambda data: os.urandom(len(data)),  # garbage
        lambda data: b"other-tool 1\n" + data[len(MAGIC) :],  # foreign
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit
    ],
)
def test_a_corrupt_entry_is_ignored_and_rebuilt(
    spoil: Callable[[bytes], bytes],
    project: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
) -> None:
    first = check(capsys, "--format", "json", str(project))
    (entry,) = entries()
    entry.write_bytes(spoil(entry.read_bytes()))
    assert check(capsys, "--format", "json", str(project)) == first
    assert len(analyses) == 2
    assert check(capsys, "--format", "json", str(project)) == first
    assert len(analyses) == 2, "the rebuilt entry is used"


def test_no_cache_since_and_failed_runs_write_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check(capsys, "--no-cache", str(project))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "init")
    check(capsys, "--since", "HEAD", str(project))
    check(capsys, "--staged", str(project))
    empty = project.parent / "empty"
    empty.mkdir()
    assert check(capsys, str(empty))[1] == 2
    assert entries() == []


def test_eviction_keeps_the_most_recent(tmp_path: Path) -> None:
    results = tmp_path / "results"
    for i in range(6):
        path = results / f"{i:02x}" / f"{i:064x}"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * 100)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    stale = results / "00" / "left.tmp"
    stale.write_bytes(b"")
    os.utime(stale, (1_000_000, 1_000_000))
    evict(str(results), max_entries=4)
    assert [p.parent.name for p in sorted(results.glob("*/*"))] == ["02", "03", "04", "05"]
    evict(str(results), max_bytes=250)
    assert [p.parent.name for p in sorted(results.glob("*/*"))] == ["04", "05"]


def test_the_cache_folders_are_private(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    top = Path(cache_dir()) / "fresh"
    monkeypatch.setenv("KEEPDATA_CACHE_DIR", str(top))
    check(capsys, str(project))
    (entry,) = Path(top, "results").glob("*/*")
    for folder in (top, top / "results", entry.parent):
        assert folder.stat().st_mode & 0o777 == 0o700
    assert (
        (top / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )


def test_where_the_cache_lives() -> None:
    home = os.path.expanduser("~")
    assert cache_dir({}) == os.path.join(home, ".cache", "keepdata")
    assert cache_dir({"XDG_CACHE_HOME": "/x"}) == "/x/keepdata"
    assert cache_dir({"XDG_CACHE_HOME": "/x", "KEEPDATA_CACHE_DIR": "/k"}) == "/k"


def test_a_hit_imports_neither_the_analysis_nor_textual(tmp_path: Path) -> None:
    """Nor argparse: `tui.quick_args` reads the usual command line (a third of the start-up)."""
    seed = shutil.copytree(EXAMPLES / "seed-app", tmp_path / "seed-app")
    probe = (
        "import sys\nfrom tui.cli import main\n"
        f"code = main(['check', '--format', 'json', {str(seed)!r}])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('analysis.', 'textual', 'pglast', 'sqlglot', 'argparse'))), file=sys.stderr)\n"
    )
    env = {**os.environ, "KEEPDATA_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-c", probe]
    cold = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    hit = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert hit.stdout == cold.stdout
    loaded = eval(hit.stderr.strip().splitlines()[-1])
    assert loaded == ["analysis.discover_names"]


def test_the_code_digest_follows_keepdata_s_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of keepdata's own code (a development checkout) is a new keepdata: no entry of
    the old code is used; compiled files are not code."""
    for rel in ("analysis/__init__.py", "analysis/rules/kd1.py", "tui/result_cache.py"):
        write(tmp_path, rel, "x = 1\n")
    monkeypatch.setattr(tui.result_cache, "__file__", str(tmp_path / "tui" / "result_cache.py"))

    def digest() -> str:
        h = tui.result_cache.sha256(b"")
        tui.result_cache._code_state(h)
        return h.hexdigest()

    first = digest()
    write(tmp_path, "analysis/rules/__pycache__/kd1.cpython-311.pyc", "compiled")
    write(tmp_path, "tui/cli.pyc", "compiled")
    assert digest() == first
    write(tmp_path, "analysis/rules/kd1.py", "x = 22\n")  # another size
    second = digest()
    assert second != first
    os.utime(tmp_path / "analysis/rules/kd1.py", ns=(1, 1))  # the same size, another time
    third = digest()
    assert third not in (first, second)
    write(tmp_path, "analysis/rules/kd2.py", "")
    assert digest() not in (first, second, third)
