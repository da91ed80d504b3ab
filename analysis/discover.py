"""Find the files a project's data safety depends on, by name (and a YAML file that is not
named like a compose file by the first bytes of its content: `looks_like_compose`).

Files that other files *refer to* (a script an entrypoint runs, a compose file another
`include`s, a Dockerfile a service names) are resolved later by the parts of the analysis that
follow those references; they read through the same bounded reader.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections import deque
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

from analysis.discover_names import MAYBE_PATTERN, SKIP_DIRS
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Severity
from analysis.records import dataclass
from analysis.sources import FileKind, listed_already

MAX_FILES = 50_000
"""At most this many files keepdata reads (files discovery classifies; other files and skipped
folders do not count). Compose and Prisma files are kept first, so the cap never hides them;
what the cap leaves out is reported."""
MAX_ENTRIES = 500_000
"""A bound on the walk's time: it stops after looking at this many entries (files and folders
of any kind), and says so. The walk goes breadth first, compose files and `prisma` folders
first in every folder, so a deep tree of other files cannot hide them."""
PRIORITY_KINDS = frozenset(
    {
        FileKind.COMPOSE,
        FileKind.PRISMA_SCHEMA,
        FileKind.PRISMA_CONFIG,
        FileKind.MIGRATION_SQL,
        FileKind.MIGRATION_LOCK,
    }
)

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


_MAYBE = lazy_compile(MAYBE_PATTERN)
"""A superset of the names `classify` knows (lowercase): every other name is no kind."""


COMPOSE_PROBE_BYTES = 64 * 1024
"""A `.yml`/`.yaml` file not named like a compose file is read this far to tell whether it is
one (its top-level keys and `services:` mapping are near the top in every real file)."""
COMPOSE_TOP_KEYS = frozenset(
    {
        "version",
        "name",
        "services",
        "volumes",
        "networks",
        "configs",
        "secrets",
        "include",
        "models",
    }
)
"""The top-level keys Compose accepts (plus `x-` extensions): any other key makes Compose
reject the file, so a file with one (`jobs:`, `apiVersion:`, `stages:`...) is not compose."""
_TOP_KEY = lazy_compile(r"^(?![#\s-])(?P<key>[^:\s#][^:#]*?)\s*:(?:\s|$)", re.MULTILINE)
_SERVICES_MAP = lazy_compile(
    r"^services[ \t]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*(?P<indent>[ \t]+)(?P<first>\S)",
    re.MULTILINE,
)
_COOLIFY = re.compile(rb"\$\{?SERVICE_(?:FQDN|URL|PASSWORD|USER|BASE64)_")
"""A Coolify service template: Coolify fills these variables and its volumes; docker compose
does not run the file as it is."""
_SERVICE_ATTR = lazy_compile(r"^[ \t]+(?:image|build|command)[ \t]*:", re.MULTILINE)


def looks_like_compose(text: str) -> bool:
    """A cheap textual test: the top level has a `services:` mapping (not a list) of services
    with `image`, `build` or `command`, and no key Compose would reject (Kubernetes manifests,
    CI workflows, render.yaml and other YAML fail it)."""
    m = _SERVICES_MAP.search(text)
    if m is None or m.group("first") == "-":
        return False
    for key in _TOP_KEY.finditer(text):
        name = key.group("key").strip("'\"")
        if name == "---" or name.startswith(("x-", "...")):
            continue
        if name not in COMPOSE_TOP_KEYS:
            return False
    return _SERVICE_ATTR.search(text, m.start()) is not None


def _probe_compose(path: str) -> bool:
    """Whether the YAML file at `path` is a compose file by its content (first bytes only)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(COMPOSE_PROBE_BYTES)
    except OSError:
        return False
    if b"services" not in head or _COOLIFY.search(head) is not None:
        return False
    return looks_like_compose(head.decode("utf-8", "replace"))


def classify(rel: str) -> FileKind | None:
    """The kind of a file judged by its path alone, or None when discovery ignores it."""
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if _MAYBE.search(lower) is None:  # most names of a tree: one search, not every test below
        return None
    parts = rel.split("/")
    if lower.endswith((".yml", ".yaml")) and (
        lower.startswith(("compose.", "docker-compose.", "docker-compose-"))
        or fnmatch.fnmatch(lower, "*.override.y*ml")
    ):
        return FileKind.COMPOSE
    if lower == ".dockerignore" or lower.endswith(".dockerignore"):
        return FileKind.DOCKERIGNORE
    if (
        lower in ("dockerfile", "containerfile")
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


def is_skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS


def discover(root: Path, exclude: Iterable[str] = ()) -> Inventory:
    """Walk `root` (not into vendored or build folders, not out of the root through links).

    Breadth first and without recursion (a folder tree of any depth is fine); in each folder
    `prisma` folders and compose files come first. See `MAX_FILES` and `MAX_ENTRIES`.
    """
    root = root.resolve()
    excludes = tuple(exclude)
    first: list[tuple[str, FileKind]] = []  # compose and Prisma files: never left out
    other: list[tuple[str, FileKind]] = []
    left_out = 0
    dirs: set[str] = {"."}
    problems: list[Finding] = []
    seen_real: set[tuple[int, int]] = set()
    entries_seen = 0

    def excluded(rel: str) -> bool:
        return any(
            fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat.rstrip("/") + "/*")
            for pat in excludes
        )

    def order(entry: os.DirEntry[str]) -> tuple[int, str]:
        name = entry.name
        lower = name.lower()
        if lower == "prisma" or lower.startswith(("compose.", "docker-compose")):
            return (0, name)
        return (1, name)

    queue: deque[tuple[Path, str]] = deque([(root, "")])
    while queue:
        folder, rel_folder = queue.popleft()
        try:
            st = folder.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_real:
            continue
        seen_real.add(key)
        budget = MAX_ENTRIES - entries_seen
        try:
            listed = listed_already(str(folder))  # the result cache's key listed it already
            if listed is not None and len(listed) <= budget:
                entries = sorted(listed, key=order)
            else:
                with os.scandir(folder) as it:
                    entries = sorted(islice(it, budget + 1), key=order)
        except OSError as exc:
            problems.append(
                Finding(
                    "KD002",
                    Severity.MEDIUM,
                    f"cannot list folder {rel_folder or '.'}: {exc.strerror or exc}",
                    Location(rel_folder or ".", 1),
                )
            )
            continue
        if len(entries) > budget:
            problems.append(
                Finding(
                    "KD002",
                    Severity.MEDIUM,
                    f"the walk stopped after {MAX_ENTRIES} entries under the root: the rest of "
                    f"{rel_folder or '.'} and {len(queue)} more folders were not looked at",
                    Location(rel_folder or ".", 1),
                )
            )
            del entries[budget:]
            queue.clear()
        entries_seen += len(entries)
        for entry in entries:
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
                    is_dir, is_file = stat.S_ISDIR(mode), stat.S_ISREG(mode)
                else:  # the folder listing's file type: no system call per entry
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if is_skipped_dir(entry.name):
                    continue
                dirs.add(rel)
                queue.append((Path(entry.path), rel))
            elif is_file:
                kind = classify(rel)
                if kind is None:
                    if not entry.name.lower().endswith((".yml", ".yaml")) or not _probe_compose(
                        entry.path
                    ):
                        continue
                    kind = FileKind.COMPOSE  # a compose file by its content, whatever its name
                if kind in PRIORITY_KINDS:
                    if len(first) < MAX_FILES:
                        first.append((rel, kind))
                    else:
                        left_out += 1
                elif len(first) + len(other) < MAX_FILES:
                    other.append((rel, kind))
                else:
                    left_out += 1
    if len(first) + len(other) > MAX_FILES:  # compose and Prisma files found late push out others
        left_out += len(first) + len(other) - MAX_FILES
        del other[MAX_FILES - len(first) :]
    if left_out:
        problems.append(
            Finding(
                "KD002",
                Severity.MEDIUM,
                f"more than {MAX_FILES} files keepdata reads under the root: {left_out} were "
                "not looked at (compose and Prisma files are kept first)",
                Location(".", 1),
            )
        )
    files = sorted(first + other)
    return Inventory(root, tuple(files), frozenset(dirs), tuple(problems))
