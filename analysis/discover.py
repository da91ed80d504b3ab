"""Find the files a project's data safety depends on, by name, without reading them.

Files that other files *refer to* (a script an entrypoint runs, a compose file another
`include`s, a Dockerfile a service names) are resolved later by the parts of the analysis that
follow those references; they read through the same bounded reader.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis.model import Finding, Location, Severity
from analysis.sources import FileKind

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        ".hg",
        ".svn",
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
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".parcel-cache",
        ".yarn",
        ".pnpm-store",
        "target",
        ".terraform",
        ".idea",
        ".vscode",
    }
)
MAX_FILES = 50_000
"""Walking stops after this many entries; the rest is reported."""

PLATFORM_FILES = frozenset(
    {
        "vercel.json",
        "turbo.json",
        "fly.toml",
        "render.yaml",
        "render.yml",
        "Procfile",
        "railway.json",
        "railway.toml",
        "nixpacks.toml",
        "wrangler.toml",
        "wrangler.json",
        "wrangler.jsonc",
        "app.json",
        "heroku.yml",
    }
)
PRISMA_CONFIG_FILES = frozenset(
    {
        "prisma.config.ts",
        "prisma.config.mts",
        "prisma.config.cts",
        "prisma.config.js",
        "prisma.config.mjs",
        "prisma.config.cjs",
    }
)


def classify(rel: str) -> FileKind | None:
    """The kind of a file judged by its path alone, or None when discovery ignores it."""
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    parts = rel.split("/")
    if lower.endswith((".yml", ".yaml")) and (
        lower.startswith(("compose.", "docker-compose.", "docker-compose-"))
        or fnmatch.fnmatch(lower, "*.override.y*ml")
    ):
        return FileKind.COMPOSE
    if lower == ".dockerignore" or lower.endswith(".dockerignore"):
        return FileKind.DOCKERIGNORE
    if (
        name in ("Dockerfile", "Containerfile")
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith((".dockerfile", ".containerfile"))
    ):
        return FileKind.DOCKERFILE
    if name == "package.json":
        return FileKind.PACKAGE_JSON
    if name in ("Makefile", "makefile", "GNUmakefile") or lower.endswith(".mk"):
        return FileKind.MAKEFILE
    if (
        lower == ".env"
        or lower.startswith(".env.")
        or (lower.endswith(".env") and not lower.endswith(".dockerenv"))
    ):
        return FileKind.ENV
    if name == ".gitignore":
        return FileKind.GITIGNORE
    if lower.endswith(".prisma"):
        return FileKind.PRISMA_SCHEMA
    if name in PRISMA_CONFIG_FILES:
        return FileKind.PRISMA_CONFIG
    if name == "migration.sql" and len(parts) >= 3:
        return FileKind.MIGRATION_SQL
    if name == "migration_lock.toml":
        return FileKind.MIGRATION_LOCK
    if name in PLATFORM_FILES:
        return FileKind.PLATFORM
    if lower.endswith((".sh", ".bash")):
        return FileKind.SHELL
    if name in ("keepdata.toml", ".keepdata.toml"):
        return FileKind.KEEPDATA_CONFIG
    return None


@dataclass(slots=True, frozen=True)
class Inventory:
    """Every file the walk classified, by kind, plus every directory path it saw."""

    root: Path
    files: tuple[tuple[str, FileKind], ...]
    dirs: frozenset[str]
    problems: tuple[Finding, ...]

    def of(self, *kinds: FileKind) -> tuple[str, ...]:
        return tuple(p for p, k in self.files if k in kinds)

    def kind_of(self, rel: str) -> FileKind | None:
        for p, k in self.files:
            if p == rel:
                return k
        return None


def is_skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS


def discover(root: Path, exclude: Iterable[str] = ()) -> Inventory:
    """Walk `root` (not into vendored or build folders, not out of the root through links)."""
    root = root.resolve()
    excludes = tuple(exclude)
    files: list[tuple[str, FileKind]] = []
    dirs: set[str] = {"."}
    problems: list[Finding] = []
    seen_real: set[tuple[int, int]] = set()
    count = 0

    def excluded(rel: str) -> bool:
        return any(
            fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat.rstrip("/") + "/*")
            for pat in excludes
        )

    def walk(folder: Path, rel_folder: str) -> None:
        nonlocal count
        try:
            st = folder.stat()
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_real:
            return
        seen_real.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(
                Finding(
                    "KD002",
                    Severity.MEDIUM,
                    f"cannot list folder {rel_folder or '.'}: {exc.strerror or exc}",
                    Location(rel_folder or ".", 1),
                )
            )
            return
        for entry in entries:
            count += 1
            if count > MAX_FILES:
                if count == MAX_FILES + 1:
                    problems.append(
                        Finding(
                            "KD002",
                            Severity.MEDIUM,
                            f"more than {MAX_FILES} files under the root; the rest were not looked at",
                            Location(rel_folder or ".", 1),
                        )
                    )
                return
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            if excluded(rel):
                continue
            try:
                is_link = entry.is_symlink()
                if is_link:
                    try:
                        target = Path(entry.path).resolve(strict=True)
                    except (OSError, RuntimeError):
                        if classify(rel) is not None:
                            problems.append(
                                Finding(
                                    "KD002",
                                    Severity.MEDIUM,
                                    f"{rel} is a broken or looping symbolic link; not read",
                                    Location(rel, 1),
                                )
                            )
                        continue
                    try:
                        target.relative_to(root)
                    except ValueError:
                        if classify(rel) is not None or target.is_dir():
                            problems.append(
                                Finding(
                                    "KD002",
                                    Severity.MEDIUM,
                                    f"{rel} is a link that leaves the project root (to {target}); not followed",
                                    Location(rel, 1),
                                )
                            )
                        continue
                    mode = target.stat().st_mode
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                if is_skipped_dir(entry.name):
                    continue
                dirs.add(rel)
                walk(Path(entry.path), rel)
            elif stat.S_ISREG(mode):
                kind = classify(rel)
                if kind is not None:
                    files.append((rel, kind))

    walk(root, "")
    files.sort()
    return Inventory(root, tuple(files), frozenset(dirs), tuple(problems))
