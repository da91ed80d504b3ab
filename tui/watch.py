"""Watching a project: which file changes matter, one analysis as the screen shows it, and what
changed between two analyses.

Nothing here imports Textual: the app runs `take_snapshot` in a thread worker and posts the
result; `ProjectFilter` is the `watch_filter` of watchfiles' `awatch`; `diff_findings` makes
the "+1 high KD602 ..." / "resolved: ..." notifications.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.catalog import BY_ID
from analysis.discover import SKIP_DIRS, classify
from analysis.engine import Analysis, analyze
from analysis.model import Finding, Location, Severity, normalize_findings
from analysis.secrets import safe_text

DEBOUNCE_MS = 50
"""watchfiles groups changes for this long (its default, 1.6 s, feels sluggish)."""
STEP_MS = 10
"""How often watchfiles checks whether the debounce window is over."""

_EDITOR_TEMP_SUFFIXES = (
    "~",
    ".swp",
    ".swo",
    ".swx",
    ".swpx",
    ".tmp",
    ".bak",
    ".orig",
    ".crswap",
    "___jb_tmp___",
    "___jb_old___",
)


def is_editor_temp(name: str) -> bool:
    """Files editors write beside the real one while saving (vim's 4913, swap files, ...)."""
    return (
        name == "4913"
        or name.startswith(".#")
        or (name.startswith("#") and name.endswith("#"))
        or name.endswith(_EDITOR_TEMP_SUFFIXES)
    )


class ProjectFilter:
    """watchfiles filter: keep the changes that can change the analysis.

    A change matters when the path is a file kind discovery looks at (`classify`), a file the
    last analysis read (scripts, program files and Dockerfiles found by following references),
    or a folder that holds such a file (a migration folder renamed or deleted). Anything under
    node_modules, .git, build output (`SKIP_DIRS`) and editor temp files never matters.
    """

    def __init__(self, root: Path, known: Iterable[str] = ()) -> None:
        self.root = Path(root).resolve()
        self._root_text = str(self.root)
        self.known: frozenset[str] = frozenset()
        self.known_dirs: frozenset[str] = frozenset()
        self.update(known)

    def update(self, known: Iterable[str]) -> None:
        files = frozenset(known)
        dirs: set[str] = set()
        for rel in files:
            parent = posixpath.dirname(rel)
            while parent and parent not in dirs:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.known = files
        self.known_dirs = frozenset(dirs)

    def relative(self, path: str) -> str | None:
        """`path` relative to the root (POSIX), or None when it is outside."""
        try:
            rel = os.path.relpath(path, self._root_text)
        except ValueError:
            return None
        rel = rel.replace(os.sep, "/")
        if rel == "." or rel == ".." or rel.startswith("../"):
            return None
        return rel

    def matters(self, rel: str, is_dir: bool | None = None) -> bool:
        parts = rel.split("/")
        if any(part in SKIP_DIRS for part in parts):
            return False
        name = parts[-1]
        if is_editor_temp(name):
            return False
        if classify(rel) is not None or rel in self.known or rel in self.known_dirs:
            return True
        if is_dir is None:
            is_dir = (self.root / rel).is_dir()
        # A new folder moved into the project (a migration folder dropped in from elsewhere).
        return bool(is_dir)

    def __call__(self, change: Any, path: str) -> bool:
        rel = self.relative(path)
        if rel is None:
            return False
        return self.matters(rel)


def describe_changes(root: Path, changes: Iterable[tuple[Any, str]]) -> str:
    """`modified prisma/schema.prisma` / `3 files changed` for the log and the header."""
    root_text = str(Path(root).resolve())
    items = sorted(
        (
            getattr(change, "name", str(change)),
            os.path.relpath(path, root_text).replace(os.sep, "/"),
        )
        for change, path in changes
    )
    if not items:
        return "rescan"
    if len(items) == 1:
        return f"{items[0][0]} {items[0][1]}"
    return f"{len(items)} files changed"


# -- one analysis, as the screen shows it ------------------------------------------------------
FACT_NAMES = (
    "stacks",
    "databases",
    "images",
    "startup",
    "schemas",
    "relations",
    "migrations",
    "pending",
)


@dataclass(slots=True, frozen=True)
class Snapshot:
    """Everything the panes render for one analysis, computed off the UI thread.

    `findings` are the analysis's findings plus what keepdata itself could not do (internal
    errors, a broken keepdata.toml) as KD001 findings, so the screen never hides a failure.
    `facts` holds each fact by name (None when it could not be computed; `fact_errors` says
    why). `checklist` and `verdict` are None when their modules are missing or failed.
    """

    root: Path
    root_label: str
    analysis: Analysis | None
    findings: tuple[Finding, ...]
    facts: dict[str, Any]
    fact_errors: dict[str, str]
    checklist: Any
    verdict: Any
    finished_at: datetime
    duration: float
    trigger: str = "start"
    error: str | None = None
    files: frozenset[str] = field(default_factory=frozenset)

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)

    def fact(self, name: str) -> Any:
        return self.facts.get(name)

    def missing(self, name: str) -> str:
        return self.fact_errors.get(name) or f"{name}: not analyzed yet"

    def counts(self) -> dict[Severity, int]:
        out = {s: 0 for s in Severity}
        for f in self.active:
            out[f.severity] += 1
        return out

    def text_of(self, path: str) -> str | None:
        """The file's text as the analysis read it (secrets masked, control sequences removed),
        read now through the bounded reader when the analysis did not read it."""
        if self.analysis is not None:
            sources = self.analysis.context.sources
            src = sources.get(path)
            if src is not None:
                return safe_text(src.text)
        from analysis.context import normalize
        from analysis.sources import read_source

        rel = normalize(path)
        if rel is None or rel == ".":
            return None
        result = read_source(self.root, rel)
        if result.source is None:
            return None
        return safe_text(result.source.text)


def _config_error_finding(exc: Exception, root: Path) -> Finding:
    path = str(getattr(exc, "path", "") or "keepdata.toml")
    if Path(path).is_absolute():
        with contextlib.suppress(ValueError):  # outside the root: keep it absolute
            path = Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    line = getattr(exc, "line", None) or 1
    message = getattr(exc, "message", str(exc))
    return Finding(
        "KD001",
        BY_ID["KD001"].severity if "KD001" in BY_ID else Severity.HIGH,
        safe_text(f"keepdata.toml cannot be used: {message}; analyzed with default settings"),
        Location(path, int(line)),
    )


def _import_fact(module_name: str, fn_name: str) -> Callable[[Any], Any] | None:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except Exception:
        return None
    fn = getattr(module, fn_name, None)
    return fn if callable(fn) else None


def _compute_facts(analysis: Analysis) -> tuple[dict[str, Any], dict[str, str], Any]:
    """Every fact the panes read, computed now (the context is not thread safe: the UI thread
    must only read finished facts). Returns (facts, errors, ProjectFacts or None)."""
    try:
        from analysis import checklist as checklist_module
    except Exception:
        return {}, {"*": "analysis.checklist is missing"}, None
    sources = getattr(checklist_module, "FACT_SOURCES", {})
    project_facts = getattr(checklist_module, "project_facts", None)
    if project_facts is not None:
        try:
            pf = project_facts(analysis)
            errors = dict(pf.errors)
            values = dict(pf.values)
            for name in FACT_NAMES:
                if name not in values and name not in errors and name in sources:
                    errors[name] = pf.missing(name)
            return values, errors, pf
        except Exception as exc:
            return {}, {"*": f"facts failed: {type(exc).__name__}: {exc}"}, None
    return {}, {"*": "analysis.checklist is missing"}, None


def take_snapshot(
    root: Path,
    root_label: str,
    trigger: str = "start",
    *,
    settings_loader: Callable[[Path], Any] | None = None,
) -> Snapshot:
    """Analyze `root` and compute everything the screen shows. Never raises: a failure becomes
    a snapshot with `error` set and a KD001 finding that says what went wrong."""
    start = time.perf_counter()
    extra: list[Finding] = []
    settings: Any = None
    try:
        if settings_loader is not None:
            settings = settings_loader(root)
        else:
            from analysis.settings import load

            settings = load(root, None)
    except Exception as exc:  # a broken keepdata.toml: say so, analyze with defaults
        extra.append(_config_error_finding(exc, root))
        settings = None
    try:
        analysis = analyze(root, settings)
    except Exception as exc:  # a bug of ours: keep the screen up and say what happened
        message = f"keepdata internal error: {type(exc).__name__}: {exc}"
        finding = Finding("KD001", Severity.HIGH, safe_text(message), Location(".", 1))
        return Snapshot(
            root=root,
            root_label=root_label,
            analysis=None,
            findings=(finding, *extra),
            facts={},
            fact_errors={"*": message},
            checklist=None,
            verdict=None,
            finished_at=datetime.now(),
            duration=time.perf_counter() - start,
            trigger=trigger,
            error=traceback.format_exc(),
        )
    facts, fact_errors, project = _compute_facts(analysis)
    checklist: Any = None
    try:
        from analysis.checklist import checklist_of

        checklist = checklist_of(analysis, project) if project is not None else None
    except Exception:
        try:
            from analysis.checklist import checklist as checklist_fn

            checklist = checklist_fn(analysis)
        except Exception as exc:
            fact_errors["checklist"] = f"checklist failed: {type(exc).__name__}: {exc}"
    findings = normalize_findings(list(analysis.findings) + extra)
    verdict: Any = None
    try:
        from analysis.verdict import verdict_of

        verdict = verdict_of(findings)
    except Exception as exc:
        fact_errors["verdict"] = f"verdict failed: {type(exc).__name__}: {exc}"
    files = frozenset(f.path for f in analysis.files)
    return Snapshot(
        root=root,
        root_label=root_label,
        analysis=analysis,
        findings=findings,
        facts=facts,
        fact_errors=fact_errors,
        checklist=checklist,
        verdict=verdict,
        finished_at=datetime.now(),
        duration=time.perf_counter() - start,
        trigger=trigger,
        files=files,
    )


# -- what changed ------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class FindingDiff:
    added: tuple[Finding, ...]
    resolved: tuple[Finding, ...]
    changed: tuple[tuple[Finding, Finding], ...] = ()
    """(before, after) for a finding of the same rule on the same line whose message or
    severity changed."""

    def __bool__(self) -> bool:
        return bool(self.added or self.resolved or self.changed)


def _order(f: Finding) -> tuple[int, tuple[str, int, int, str, str]]:
    return (-int(f.severity), f.sort_key)


def diff_findings(old: Iterable[Finding], new: Iterable[Finding]) -> FindingDiff:
    """Findings that appeared, disappeared or changed, compared by `Finding.identity`
    (unsuppressed findings only); an appeared and a disappeared finding of the same rule on
    the same line are one change."""
    before = {f.identity: f for f in old if f.suppressed is None}
    after = {f.identity: f for f in new if f.suppressed is None}
    added = [f for k, f in after.items() if k not in before]
    resolved = [f for k, f in before.items() if k not in after]
    gone: dict[tuple[str, str, int], list[Finding]] = {}
    for f in resolved:
        gone.setdefault((f.rule, f.location.path, f.location.line), []).append(f)
    changed: list[tuple[Finding, Finding]] = []
    still_added: list[Finding] = []
    for f in added:
        candidates = gone.get((f.rule, f.location.path, f.location.line))
        if candidates:
            changed.append((candidates.pop(0), f))
        else:
            still_added.append(f)
    paired = {id(b) for b, _ in changed}
    return FindingDiff(
        tuple(sorted(still_added, key=_order)),
        tuple(sorted((f for f in resolved if id(f) not in paired), key=_order)),
        tuple(sorted(changed, key=lambda pair: _order(pair[1]))),
    )


def short_path(path: str) -> str:
    """The last two parts of a path: `20261124_x/migration.sql`."""
    parts = path.split("/")
    return "/".join(parts[-2:])


def rule_name(rule: str) -> str:
    r = BY_ID.get(rule)
    return r.name if r else ""


def added_line(f: Finding) -> str:
    return f"+1 {f.severity.label} {f.rule} {rule_name(f.rule)} in {short_path(f.location.path)}"


def resolved_line(f: Finding) -> str:
    return f"resolved: {f.rule} {rule_name(f.rule)} in {short_path(f.location.path)}"


def changed_line(before: Finding, after: Finding) -> str:
    severity = (
        f" {before.severity.label}→{after.severity.label}"
        if before.severity != after.severity
        else ""
    )
    where = short_path(after.location.path)
    return f"changed:{severity} {after.rule} {rule_name(after.rule)} in {where}"


def diff_lines(diff: FindingDiff, limit: int = 4) -> list[str]:
    """The notification's lines, merged (Toolong-style) when a change brings many findings."""
    lines = (
        [added_line(f) for f in diff.added]
        + [resolved_line(f) for f in diff.resolved]
        + [changed_line(b, a) for b, a in diff.changed]
    )
    if len(lines) <= limit:
        return lines
    head = lines[: limit - 1]
    rest = len(lines) - len(head)
    summary = []
    if diff.added:
        summary.append(f"+{len(diff.added)} new")
    if diff.resolved:
        summary.append(f"{len(diff.resolved)} resolved")
    if diff.changed:
        summary.append(f"{len(diff.changed)} changed")
    return [*head, f"... and {rest} more ({', '.join(summary)})"]
