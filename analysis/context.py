"""The analysis context: the project's files, read once, and facts computed once per run.

Parsing is cached across runs by (parser, path, content digest) (`analysis.parse_cache`), so
a re-analysis after an edit re-parses only the files that changed. Facts are pure functions of
the context; `fact()` memoizes them for the run.
"""

from __future__ import annotations

import errno
import os
import posixpath
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from analysis import parse_cache
from analysis.discover import Inventory
from analysis.model import Finding, Location, Severity
from analysis.parse_cache import clear_parse_cache as clear_parse_cache  # re-exported
from analysis.parse_cache import parse_cache_size as parse_cache_size  # re-exported
from analysis.sources import FileKind, SourceFile, read_source

if TYPE_CHECKING:
    from analysis.settings import Settings

T = TypeVar("T")


class Context:
    """Everything one analysis run knows. Rules read files and facts through it."""

    def __init__(self, root: Path, inventory: Inventory, settings: Settings | None = None) -> None:
        self.root = root.resolve()
        self.inventory = inventory
        if settings is None:
            from analysis.settings import Settings  # settings -> config -> rules -> context

            settings = Settings()
        self.settings: Settings = settings
        self._sources: dict[str, SourceFile | None] = {}
        self._read_problems: dict[str, Finding] = {}
        self._parse_problems: dict[str, Finding] = {}
        self._unknown: set[str] = set()
        self._facts: dict[Callable[..., Any], Any] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._discovered: frozenset[str] | None = None
        self._probed: set[str] = set()
        self._listed: set[str] = set()
        self._kinds: frozenset[FileKind] | None = None

    # -- files ---------------------------------------------------------------------------
    def files(self, *kinds: FileKind) -> tuple[str, ...]:
        return self.inventory.of(*kinds)

    @property
    def kinds(self) -> frozenset[FileKind]:
        """The kinds of file the project has (what decides which areas and facts run)."""
        if self._kinds is None:
            self._kinds = frozenset(kind for _, kind in self.inventory.files)
        return self._kinds

    def exists(self, rel: str) -> bool:
        rel_n = normalize(rel)
        if rel_n is None:
            return False
        self._probed.add(rel_n)
        full = self.root / rel_n
        try:
            return full.exists() and (
                full.resolve() == self.root or self.root in full.resolve().parents
            )
        except OSError as exc:
            self._cannot_look(rel_n, exc)
            return False

    def is_dir(self, rel: str) -> bool:
        rel_n = normalize(rel)
        if rel_n is None:
            return False
        self._probed.add(rel_n)
        try:
            return (self.root / rel_n).is_dir()
        except OSError as exc:  # not "missing" (that is False): e.g. a folder without access
            self._cannot_look(rel_n, exc)
            return False

    def names_in(self, folder: str) -> frozenset[str] | None:
        """The names in the root-relative `folder`, lower-cased: empty when there is no such
        folder, None when it cannot be listed."""
        self._listed.add(folder)
        try:
            return frozenset(n.lower() for n in os.listdir(self.root / folder))
        except (FileNotFoundError, NotADirectoryError):
            return frozenset()
        except OSError:
            return None

    def _cannot_look(self, rel: str, exc: OSError) -> None:
        """The file system would not say what `rel` is: a KD002 finding, once.

        A folder without search permission is reported once, on that folder (unless the
        discovery walk already did), not once per path the analysis asks about inside it.
        """
        if isinstance(exc, (FileNotFoundError, NotADirectoryError)) or exc.errno in _MISSING_ERRNOS:
            return  # it is not there (a name too long cannot be there either)
        self._unknown.add(rel)
        reason = exc.strerror or str(exc)
        if not isinstance(exc, PermissionError):
            message = f"cannot read {rel}: {reason}"
            self._read_problems.setdefault(
                rel, Finding("KD002", Severity.MEDIUM, message, Location(rel, 1))
            )
            return
        folder = rel
        while folder:
            folder = posixpath.dirname(folder)
            try:
                os.stat(self.root / folder)  # the deepest folder we can see: it blocks
                break
            except OSError:
                continue
        where = folder or "."
        if where in self._read_problems or any(
            p.location.path == where for p in self.inventory.problems
        ):
            return
        self._read_problems[where] = Finding(
            "KD002",
            Severity.MEDIUM,
            f"cannot look inside folder {where}: {reason} ({rel} and what else is in it "
            "were not checked)",
            Location(where, 1),
        )

    def unknown(self, rel: str) -> bool:
        """True when the file system refused to say whether `rel` exists (it is not missing)."""
        return (normalize(rel) or rel) in self._unknown

    def source(self, rel: str) -> SourceFile | None:
        """The file's text, or None (and a KD002 finding) when it cannot be read."""
        if rel in self._sources:  # already read (keys are normalized paths)
            return self._sources[rel]
        rel_n = normalize(rel)
        if rel_n is None:
            return None
        if rel_n in self._sources:
            return self._sources[rel_n]
        if self._discovered is None:
            same_root = self.inventory.root == self.root
            self._discovered = (
                frozenset(p for p, _ in self.inventory.files) if same_root else frozenset()
            )
        # A file the discovery walk found inside the root needs no second link check.
        result = read_source(self.root, rel_n, discovered=rel_n in self._discovered)
        self._sources[rel_n] = result.source
        if result.problem is not None:
            self._read_problems[rel_n] = result.problem
        return result.source

    def parse(self, rel: str, parser: Callable[[SourceFile], T]) -> T | None:
        """`parser(source)` for the file, cached by content digest across runs."""
        src = self.source(rel)
        if src is None:
            return None
        local_key = (parse_cache.parser_name(parser), src.path)
        if local_key in self._parsed:
            return cast("T | None", self._parsed[local_key])
        key = (local_key[0], src.path, src.digest)
        root = str(self.root)
        found, hit = parse_cache.lookup(root, key, src.size)
        if not found:
            try:
                hit = parser(src)
            except RecursionError:
                # A parser without an explicit depth limit met a file nested past Python's
                # recursion limit: a finding on that file, and the rest of the area goes on.
                self._parse_failed(src.path)
                self._parsed[local_key] = None
                return None
            parse_cache.remember(root, key, hit, src.size)
        self._parsed[local_key] = hit
        return cast(T, hit)

    def _parse_failed(self, rel: str) -> None:
        from analysis.catalog import BY_ID

        # the schema and SQL have their own parse-error rules (KD505, KD612); the rest KD001
        rule = "KD505" if rel.endswith(".prisma") else "KD612" if rel.endswith(".sql") else "KD001"
        message = (
            f"{rel} is nested too deeply to parse (past Python's recursion limit of "
            f"{sys.getrecursionlimit()} levels); the file is not analyzed"
        )
        self._parse_problems.setdefault(
            rel, Finding(rule, BY_ID[rule].severity, message, Location(rel, 1))
        )

    @property
    def sources(self) -> dict[str, SourceFile | None]:
        return dict(self._sources)

    @property
    def probed(self) -> frozenset[str]:
        """Every path `exists` or `is_dir` was asked about (the result cache checks them)."""
        return frozenset(self._probed)

    @property
    def listed(self) -> frozenset[str]:
        """Every folder `names_in` listed (the result cache checks them)."""
        return frozenset(self._listed)

    @property
    def read_problems(self) -> tuple[Finding, ...]:
        """Files that could not be read, looked at, or parsed (one finding per file)."""
        return (*self._read_problems.values(), *self._parse_problems.values())

    @property
    def parsed_results(self) -> tuple[Any, ...]:
        return tuple(self._parsed.values())

    # -- facts ---------------------------------------------------------------------------
    def fact(self, fn: Callable[[Context], T]) -> T:
        """`fn(self)`, computed once per run. A fact that raises raises `FactError` for every
        caller (computed once too), so the pipeline reports one failure, not one per rule."""
        if fn in self._facts:
            value = self._facts[fn]
            if isinstance(value, FactError):
                raise value
            return cast(T, value)
        try:
            value = fn(self)
        except FactError as needed:  # a fact this one needs failed: that is the cause
            self._facts[fn] = needed
            raise
        except Exception as exc:
            failed = FactError(fn.__qualname__, exc)
            self._facts[fn] = failed
            raise failed from exc
        self._facts[fn] = value
        return value


class FactError(Exception):
    """A fact's computation raised (a keepdata bug): `fact` names it, `cause` is what it
    raised, `trace` where."""

    def __init__(self, fact: str, cause: BaseException) -> None:
        super().__init__(f"fact {fact} failed: {type(cause).__name__}: {cause}")
        self.fact = fact
        self.cause = cause
        self.trace = "".join(traceback.format_exception(cause))


_MISSING_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG, errno.ELOOP})


def normalize(rel: str) -> str | None:
    """A root-relative POSIX path without `..` escapes, or None when it leaves the root."""
    if not rel:
        return None
    rel = rel.replace("\\", "/")
    if rel.startswith("/"):
        return None
    norm = posixpath.normpath(rel)
    if norm == ".." or norm.startswith("../"):
        return None
    return norm


def join(base_dir: str, ref: str) -> str | None:
    """Resolve `ref` (relative to the folder `base_dir`, both root-relative) to a root path."""
    if ref.startswith("/"):
        return None
    return normalize(posixpath.join(base_dir or ".", ref))
