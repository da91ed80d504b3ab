"""Export, for each corpus repository, only the files keepdata reads, at the pinned commit.

python -m benchmarks.realworld.export [--dest DIR] [--force] [NAME ...]

Each repository is read from its fetched snapshot (a bare git dir under /work/.mirror, or
$KEEPDATA_MIRROR) with git plumbing only (`ls-tree`, `cat-file --batch`), never checked out.
DEST/<name>/ receives the selected files and becomes a git repository with one commit made with
a fixed author and date, so keepdata's git-based features see a history and two exports of the
same pin are the same commit. DEST defaults to /tmp/keepdata-realworld ($KEEPDATA_REALWORLD);
it is scratch, never committed.

What is selected is fixed here (not imported from keepdata), so a change to keepdata's
discovery does not change the corpus: the kinds analysis/discover.py classifies (compose
files, Dockerfiles, .dockerignore, package.json, Makefiles, .env files, .gitignore, *.prisma,
prisma.config.*, migration.sql, migration_lock.toml, platform files, shell scripts,
keepdata.toml), every other YAML file, SQL and .conf files (init scripts and server
configuration a compose file mounts), the small scripts inside prisma/ folders (seeds), and the
small JS/TS/Python programs that a selected file names (`node scripts/migrate.js`).
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.realworld.corpus import DEFAULT_DEST, Repo, load, select

SELECTION_VERSION = "1"
"""Bump when the selection rules change: an export made under another version is redone."""

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        "dist",
        "build",
        "out",
        ".next",
        ".nuxt",
        ".svelte-kit",
        ".turbo",
        ".vercel",
        ".output",
        "coverage",
        ".cache",
        ".venv",
        "venv",
        "__pycache__",
        ".yarn",
        ".pnpm-store",
        "target",
        ".terraform",
        ".idea",
        ".vscode",
    }
)
LOCKFILES = frozenset(
    {"pnpm-lock.yaml", "yarn.lock", "package-lock.json", "bun.lockb", "bun.lock", "deno.lock"}
)
PLATFORM_FILES = frozenset(
    {
        "vercel.json",
        "turbo.json",
        "fly.toml",
        "render.yaml",
        "render.yml",
        "procfile",
        "railway.json",
        "railway.toml",
        "nixpacks.toml",
        "wrangler.toml",
        "wrangler.json",
        "wrangler.jsonc",
        "app.json",
        "heroku.yml",
        "keepdata.toml",
        ".keepdata.toml",
        "migration_lock.toml",
        "package.json",
        ".gitignore",
        ".dockerignore",
        "makefile",
        "gnumakefile",
    }
)
PROGRAM_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".py")
KB = 1024
MAX_FILE = 4 * KB * KB
MAX_YAML = 512 * KB
MAX_SQL_OTHER = 1 * KB * KB
MAX_SMALL = 64 * KB
MAX_PRISMA_SCRIPT = 256 * KB
MAX_PER_NAME = 3
"""At most this many programs are taken for one referenced file name (`index.js`)."""

_TOKEN = re.compile(r"[A-Za-z0-9_@.$/{}-]+")
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_AUTHOR_NAME": "keepdata-realworld",
    "GIT_AUTHOR_EMAIL": "realworld@keepdata.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "keepdata-realworld",
    "GIT_COMMITTER_EMAIL": "realworld@keepdata.invalid",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(_GIT_ENV)
    return env


@dataclass(slots=True, frozen=True)
class Entry:
    mode: str
    sha: str
    size: int
    path: str


@dataclass(slots=True)
class Exported:
    files: int = 0
    bytes: int = 0
    absent: list[str] = field(default_factory=list)
    skipped_links: int = 0


def _skipped_path(path: str) -> bool:
    return any(part in SKIP_DIRS for part in path.split("/")[:-1])


def base_kind(path: str, size: int) -> str | None:
    """Why a file is exported on its path alone (a word), or None."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in LOCKFILES or _skipped_path(path) or size > MAX_FILE:
        return None
    parts = path.split("/")
    if lower.endswith(".prisma") or lower.startswith("prisma.config."):
        return "prisma"
    if name == "migration.sql":
        return "migration"
    if lower in PLATFORM_FILES or lower.endswith(".mk"):
        return "config"
    if lower.endswith((".yml", ".yaml")):
        return "yaml" if size <= MAX_YAML else None
    if (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile.", "dockerfile-"))
        or lower.endswith((".dockerfile", ".containerfile", ".dockerignore"))
    ):
        return "docker"
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return "env" if size <= MAX_SMALL else None
    if lower.endswith((".sh", ".bash")):
        return "shell" if size <= MAX_PRISMA_SCRIPT else None
    if lower.endswith(".sql"):
        return "sql" if size <= MAX_SQL_OTHER else None
    if lower.endswith((".conf", ".cnf")):
        return "conf" if size <= MAX_SMALL else None
    if (
        "prisma" in parts[:-1]
        and lower.endswith((*PROGRAM_SUFFIXES, ".json", ".toml"))
        and "generated" not in parts
        and size <= MAX_PRISMA_SCRIPT
    ):
        return "prisma-script"
    return None


def referenced_programs(texts: list[str], candidates: list[Entry]) -> list[Entry]:
    """The small programs whose path (or, failing that, file name) a selected file names."""
    by_name: dict[str, list[Entry]] = {}
    for e in candidates:
        by_name.setdefault(e.path.rsplit("/", 1)[-1], []).append(e)
    tokens: set[str] = set()
    for text in texts:
        for tok in _TOKEN.findall(text):
            tok = tok.strip("./{}$")
            if tok.endswith(PROGRAM_SUFFIXES):
                tokens.add(tok)
    chosen: dict[str, Entry] = {}
    for tok in sorted(tokens):
        name = tok.rsplit("/", 1)[-1]
        pool = by_name.get(name)
        if not pool:
            continue
        exact = [e for e in pool if "/" in tok and (e.path == tok or e.path.endswith("/" + tok))]
        picks = exact or sorted(pool, key=lambda e: (e.path.count("/"), e.path))
        for e in picks[:MAX_PER_NAME]:
            chosen[e.path] = e
    return [chosen[p] for p in sorted(chosen)]


def _git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        input=stdin,
        capture_output=True,
        env=_env(),
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def list_tree(git_dir: Path, commit: str) -> list[Entry]:
    out = _git(git_dir, "ls-tree", "-r", "-l", "-z", "--full-tree", commit)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha, size = meta.split()
        if kind != b"blob":
            continue  # submodules
        entries.append(
            Entry(
                mode.decode(),
                sha.decode(),
                int(size) if size.isdigit() else 0,  # "-"/"BAD": absent blob
                path.decode("utf-8", "surrogateescape"),
            )
        )
    return entries


def read_blobs(git_dir: Path, shas: list[str]) -> dict[str, bytes]:
    """Blob contents by sha (one `cat-file --batch`); a blob the snapshot lacks is left out."""
    if not shas:
        return {}
    unique = sorted(set(shas))
    out = _git(git_dir, "cat-file", "--batch", stdin=("\n".join(unique) + "\n").encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in unique:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split()
        pos = nl + 1
        if len(header) == 2 and header[1] == b"missing":
            continue
        size = int(header[2])
        blobs[sha] = out[pos : pos + size]
        pos += size + 1
    return blobs


def choose(entries: list[Entry], git_dir: Path) -> tuple[list[Entry], dict[str, bytes]]:
    """The entries to export (files first, then the programs they name) and their contents."""
    files = [e for e in entries if e.mode != "120000" and base_kind(e.path, e.size)]
    blobs = read_blobs(git_dir, [e.sha for e in files])
    texts = [
        blobs[e.sha].decode("utf-8", "replace")
        for e in files
        if e.sha in blobs and base_kind(e.path, e.size) not in ("migration", "sql", "prisma")
    ]
    chosen = {e.path for e in files}
    candidates = [
        e
        for e in entries
        if e.mode != "120000"
        and e.path not in chosen
        and e.path.endswith(PROGRAM_SUFFIXES)
        and e.size <= MAX_SMALL
        and not _skipped_path(e.path)
        and not e.path.rsplit("/", 1)[-1].startswith(".")
    ]
    programs = referenced_programs(texts, candidates)
    blobs.update(read_blobs(git_dir, [e.sha for e in programs]))
    links = [e for e in entries if e.mode == "120000" and base_kind(e.path, 0)]
    blobs.update(read_blobs(git_dir, [e.sha for e in links]))
    return sorted(files + programs + links, key=lambda e: e.path), blobs


def export_repo(repo: Repo, dest: Path, force: bool = False) -> Exported | str:
    """Write DEST/<name>; returns what was written, or a sentence saying why not."""
    git_dir = repo.git_dir
    if not git_dir.is_dir():
        return (
            f"no snapshot at {git_dir}; fetch it (fetch tool: github:{repo.slug}) "
            f"or set KEEPDATA_MIRROR"
        )
    try:
        _git(git_dir, "cat-file", "-e", f"{repo.commit}^{{commit}}")
    except RuntimeError:
        return f"the snapshot at {git_dir} does not hold commit {repo.commit}; fetch it again"
    target = dest / repo.name
    marker = target / ".git" / "keepdata-realworld"
    stamp = f"{repo.commit}\n{SELECTION_VERSION}\n"
    if not force and marker.is_file() and marker.read_text() == stamp:
        return Exported(files=-1)
    if target.exists():
        if not marker.is_file():
            return f"{target} exists and is not an export; remove it or pick another --dest"
        shutil.rmtree(target)
    entries, blobs = choose(list_tree(git_dir, repo.commit), git_dir)
    result = Exported()
    written: set[str] = set()
    for e in entries:
        if e.mode == "120000":
            continue
        data = blobs.get(e.sha)
        if data is None:
            result.absent.append(e.path)
            continue
        out = target / e.path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        if e.mode == "100755":
            out.chmod(0o755)
        written.add(e.path)
        result.files += 1
        result.bytes += len(data)
    for e in entries:
        if e.mode != "120000":
            continue
        link_target = blobs.get(e.sha, b"").decode("utf-8", "replace")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(e.path), link_target))
        if link_target.startswith("/") or resolved not in written:
            result.skipped_links += 1
            continue
        out = target / e.path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.symlink_to(link_target)
        result.files += 1
    target.mkdir(parents=True, exist_ok=True)
    _commit(target, repo)
    marker.write_text(stamp)
    return result


def _commit(target: Path, repo: Repo) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(target), *args], check=True, env=_env(), capture_output=True
        )

    git("init", "-q", "-b", "main")
    git("add", "-A", "-f")
    git(
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "--no-verify",
        "--allow-empty",
        "-m",
        f"{repo.name}: files keepdata reads from {repo.slug} at {repo.commit}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="corpus names (default: all)")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--force", action="store_true", help="redo exports that are current")
    args = parser.parse_args(argv)
    dest = args.dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    failed = 0
    for repo in select(load(), args.names):
        result = export_repo(repo, dest, args.force)
        if isinstance(result, str):
            failed += 1
            print(f"{repo.name:24} MISSING  {result}")
        elif result.files < 0:
            print(f"{repo.name:24} current  {dest / repo.name}")
        else:
            extra = f", {len(result.absent)} absent from the snapshot" if result.absent else ""
            extra += f", {result.skipped_links} links skipped" if result.skipped_links else ""
            print(f"{repo.name:24} {result.files:5} files {result.bytes / KB:8.0f} KB{extra}")
    print(f"exports in {dest}" + (f"; {failed} not exported" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
