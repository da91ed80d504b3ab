"""A repository's git configuration never makes keepdata run a command.

Each case builds a real repository whose config (or attributes, hooks, included config, or a
nested repository) names a program that writes a sentinel file. A control first proves the
trap is live: the git command a careless tool would run (`git status`, `git diff`, `git show
--textconv`, a commit, a pager on a terminal, an ssh remote) does write the sentinel. Then
`keepdata check`, `keepdata report` in every format and the inspector (analysis and export)
run on the project, and the sentinel must not appear.
"""

from __future__ import annotations

import ast
import os
import pty
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.gitread import git_env
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PROJECT = {
    "docker-compose.yml": (
        "services:\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    environment:\n"
        "      POSTGRES_PASSWORD: example\n"
        "  app:\n"
        "    build: .\n"
        "    command: sh -c 'npx prisma migrate deploy && node server.js'\n"
        "    depends_on: [db]\n"
    ),
    "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
    ".env": "DATABASE_URL=postgresql://app:s3cret@db:5432/app\n",
    "prisma/schema.prisma": (
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n'
        "model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n}\n"
    ),
    "prisma/migrations/20240101000000_init/migration.sql": (
        'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL,'
        ' CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
    ),
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
    "package.json": '{"name": "app", "scripts": {"start": "node server.js"}}\n',
}


def _plain_git(cwd: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    """git as a careless tool runs it: the repository's configuration applies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    if "stdout" not in kw:
        kw.update(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        ["git", *args], cwd=cwd, env=env, timeout=30, check=False, **kw
    )


def _make_repo(root: Path) -> None:
    for rel, text in PROJECT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _plain_git(root, "init", "-q", "-b", "main")
    _plain_git(root, "add", "-A")
    _plain_git(root, "commit", "-q", "-m", "init")
    # A change after the commit: work-tree files now differ from the index, the state in which
    # `git status`/`git diff` hash them (and run filters, textconv, external diff).
    with (root / "docker-compose.yml").open("a") as fh:
        fh.write("# edited\n")


def _config(root: Path, *pairs: tuple[str, str]) -> None:
    for key, value in pairs:
        _plain_git(root, "config", key, value)


def _on_a_terminal(root: Path, *args: str) -> None:
    """Run plain git with its standard output on a pseudo-terminal (where pagers start)."""
    leader, follower = pty.openpty()
    try:
        _plain_git(root, *args, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL)
    finally:
        os.close(follower)
        os.close(leader)


@dataclass(frozen=True)
class Trap:
    name: str
    arm: Callable[[Path, str], None]
    """Plant the trap in the repository at the path: its command is the second argument."""
    spring: Callable[[Path], None]
    """What a careless tool runs that sets it off (the control)."""
    analyzed: Callable[[Path], Path] = lambda repo: repo
    """The folder keepdata analyzes."""


def _fsmonitor(repo: Path, cmd: str) -> None:
    _config(repo, ("core.fsmonitor", cmd))


def _filter_clean(repo: Path, cmd: str) -> None:
    (repo / ".gitattributes").write_text("* filter=evil\n")
    _config(repo, ("filter.evil.clean", cmd), ("filter.evil.smudge", cmd))


def _filter_process(repo: Path, cmd: str) -> None:
    (repo / ".git" / "info" / "attributes").write_text("* filter=evil\n")
    _config(repo, ("filter.evil.process", cmd), ("filter.evil.required", "false"))


def _textconv(repo: Path, cmd: str) -> None:
    (repo / ".gitattributes").write_text("*.yml diff=evil\n")
    _config(repo, ("diff.evil.textconv", cmd))


def _diff_external(repo: Path, cmd: str) -> None:
    _config(repo, ("diff.external", cmd))


def _pager(repo: Path, cmd: str) -> None:
    _config(repo, ("core.pager", cmd), ("pager.status", cmd), ("pager.log", cmd))


def _ssh(repo: Path, cmd: str) -> None:
    _config(repo, ("core.sshCommand", cmd), ("remote.origin.url", "ssh://example.invalid/x"))


def _hooks(repo: Path, cmd: str) -> None:
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in (
        "post-index-change",
        "pre-commit",
        "post-checkout",
        "reference-transaction",
        "pre-auto-gc",
        "post-rewrite",
    ):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\n{cmd}\n")
        hook.chmod(0o755)


def _include(repo: Path, cmd: str) -> None:
    (repo / ".git" / "evil.cfg").write_text(f'[core]\n\tfsmonitor = "{cmd}"\n')
    _config(repo, ("include.path", "evil.cfg"))


def _nested(repo: Path, cmd: str) -> None:
    """A second repository inside the analyzed one (a vendored clone with its own .git)."""
    inner = repo / "apps" / "web"
    _make_repo(inner)
    _fsmonitor(inner, cmd)
    _filter_clean(inner, cmd)


def _commit(repo: Path) -> None:
    _plain_git(repo, "commit", "-q", "--allow-empty", "-m", "x")


TRAPS = (
    Trap("core.fsmonitor", _fsmonitor, lambda r: _plain_git(r, "status")),
    # `git add` always hashes the work-tree file through the filter (status and diff may not:
    # a size change alone tells them the file changed)
    Trap("filter clean/smudge", _filter_clean, lambda r: _plain_git(r, "add", "-A")),
    Trap("filter process", _filter_process, lambda r: _plain_git(r, "add", "-A")),
    Trap("textconv", _textconv, lambda r: _plain_git(r, "diff")),
    Trap("diff.external", _diff_external, lambda r: _plain_git(r, "diff")),
    Trap("pager", _pager, lambda r: _on_a_terminal(r, "log", "-1")),
    Trap("sshCommand", _ssh, lambda r: _plain_git(r, "ls-remote", "origin")),
    Trap("hooks", _hooks, _commit),
    Trap("include.path", _include, lambda r: _plain_git(r, "status")),
    Trap(
        "nested repository",
        _nested,
        lambda r: _plain_git(r / "apps" / "web", "status"),
    ),
)


def _armed(tmp_path: Path, trap: Trap) -> tuple[Path, Path]:
    repo = tmp_path / "project"
    repo.mkdir()
    _make_repo(repo)
    sentinel = tmp_path / "PWNED"
    trap.arm(repo, f"touch {sentinel}; false")
    return repo, sentinel


def _keepdata(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


@pytest.mark.parametrize("trap", TRAPS, ids=lambda t: t.name)
def test_the_trap_is_live(tmp_path: Path, trap: Trap) -> None:
    """Control: the planted configuration does run its command under plain git."""
    repo, sentinel = _armed(tmp_path, trap)
    trap.spring(repo)
    assert sentinel.exists(), f"{trap.name}: the control did not spring the trap"


@pytest.mark.parametrize("trap", TRAPS, ids=lambda t: t.name)
def test_check_and_report_run_nothing(tmp_path: Path, trap: Trap) -> None:
    repo, sentinel = _armed(tmp_path, trap)
    target = trap.analyzed(repo)
    out = _keepdata("check", str(target), "--fail-on", "never", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    for fmt in ("md", "json", "sarif"):
        rep = _keepdata("report", str(target), "--format", fmt, cwd=tmp_path)
        assert rep.returncode == 0, rep.stderr
        if fmt == "json":
            # the report did read git: the commit is there, and the edit makes it dirty
            assert '"dirty": true' in rep.stdout
    assert not sentinel.exists(), f"{trap.name}: keepdata ran the repository's command"


@pytest.mark.parametrize(
    "trap",
    [t for t in TRAPS if t.name in ("core.fsmonitor", "filter process")],
    ids=lambda t: t.name,
)
async def test_the_inspector_runs_nothing(tmp_path: Path, trap: Trap) -> None:
    from tui.app import KeepdataApp
    from tui.modals.export_dialog import ExportRequest

    repo, sentinel = _armed(tmp_path, trap)
    app = KeepdataApp(repo, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        for fmt in ("md", "json"):
            app._export_chosen(ExportRequest(fmt, tmp_path / f"out.{fmt}"))
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert (tmp_path / "out.json").exists()
    assert not sentinel.exists(), f"{trap.name}: the inspector ran the repository's command"


def test_a_bare_repository_inside_a_project_is_not_discovered(tmp_path: Path) -> None:
    """A bare repository committed as plain files (HEAD, config, objects/, refs/) is the
    analyzed folder: git must not pick up its config."""
    bare = tmp_path / "bare"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, env=git_env())
    sentinel = tmp_path / "PWNED"
    with (bare / "config").open("a") as fh:
        fh.write(f'[core]\n\tfsmonitor = "touch {sentinel}; false"\n')
    (bare / "docker-compose.yml").write_text(PROJECT["docker-compose.yml"])
    out = _keepdata("report", str(bare), "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert '"git": null' in out.stdout
    assert not sentinel.exists()


def test_git_environment_of_the_user_is_not_inherited() -> None:
    env = git_env(
        {"PATH": "/usr/bin", "GIT_DIR": "/elsewhere", "GIT_EXTERNAL_DIFF": "x", "PAGER": "x"}
    )
    assert "GIT_DIR" not in env and "GIT_EXTERNAL_DIFF" not in env and "PAGER" not in env
    assert env["GIT_CONFIG_NOSYSTEM"] == "1" and env["GIT_CONFIG_GLOBAL"] == os.devnull
    assert env["PATH"] == "/usr/bin"


def test_only_the_git_reader_starts_processes() -> None:
    """The one module of analysis/ and tui/ that may start a process is analysis/gitread.py
    (and the inspector's drill-down, which starts the user's own $EDITOR)."""
    top = REPO
    allowed = {"analysis/gitread.py", "tui/drilldown.py"}
    offenders = []
    for folder in ("analysis", "tui"):
        for path in sorted((top / folder).rglob("*.py")):
            rel = path.relative_to(top).as_posix()
            for node in ast.walk(ast.parse(path.read_text())):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    names = [f"{node.value.id}.{node.attr}"]
                starts = [
                    n
                    for n in names
                    if n.split(".")[0] in ("subprocess", "pty", "multiprocessing")
                    or n.startswith(("os.system", "os.popen", "os.exec", "os.spawn", "os.fork"))
                ]
                if starts and rel not in allowed:
                    offenders.append((rel, node.lineno, starts))
    assert offenders == []
