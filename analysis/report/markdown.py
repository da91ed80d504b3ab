"""`keepdata report --format md`: the seed's "Prisma Data Safety - Verification Report",
computed. Every claim names the file and line it comes from; configuration is quoted from the
files themselves (secrets masked); the result renders on GitHub (balanced fences, Mermaid).

Sections, in the seed's order: title and metadata, Configuration Review Summary (seven
areas), Potential Issues & Mitigations (findings, critical first), Data Safety Checklist,
Final Verdict, Test Scenarios (for this project's services, volumes and scripts), the
relations diagram, and the files analyzed with their sha256.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analysis.catalog import BY_ID
from analysis.checklist import (
    Checklist,
    ChecklistItem,
    Evidence,
    ProjectFacts,
    Section,
    Status,
    checklist_of,
    project_facts,
)
from analysis.engine import Analysis, internal_error_finding
from analysis.model import Finding, Location, Severity
from analysis.report.metadata import ReportMetadata, report_metadata
from analysis.report.render import rule_help
from analysis.secrets import safe_text
from analysis.sources import SourceFile
from analysis.verdict import AreaVerdict, Level, Verdict, by_severity, verdict

TITLE = "Prisma Data Safety - Verification Report"
GENERATED_PREFIX = "| Generated |"
"""The one line that differs between two reports of the same files."""

SECTION_TITLES = (
    "Configuration Review Summary",
    "Potential Issues & Mitigations",
    "Data Safety Checklist",
    "Final Verdict",
    "Test Scenarios",
    "Relations",
    "Files analyzed",
)

LEVEL_BADGE = {
    Level.SAFE: "✅",
    Level.SAFE_WITH_WARNINGS: "⚠️",
    Level.AT_RISK: "🟠",
    Level.UNSAFE: "❌",
}
SEVERITY_BADGE = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
    Severity.INFO: "⚪",
}
STATUS_BADGE = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.NOT_APPLICABLE: "➖",
    Status.UNVERIFIABLE: "❔",
}
SECTION_BADGE = {
    Section.VERIFIED_SAFE: "✅",
    Section.DOCUMENTED_WARNINGS: "⚠️",
    Section.NO_DANGEROUS: "❌",
}

_SUFFIX_LANG = {
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".sh": "bash",
    ".bash": "bash",
    ".prisma": "prisma",
    ".sql": "sql",
    ".toml": "toml",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".py": "python",
}


def language_of(path: str) -> str:
    """The fence language GitHub highlights for a file."""
    name = posixpath.basename(path)
    low = name.lower()
    if low == "dockerfile" or low.startswith("dockerfile.") or low.endswith(".dockerfile"):
        return "dockerfile"
    if low in ("makefile", "gnumakefile") or low.endswith(".mk"):
        return "makefile"
    if low == ".env" or low.startswith(".env."):
        return "dotenv"
    if low in (".dockerignore", ".gitignore") or low.endswith(".dockerignore"):
        return "gitignore"
    if low == "procfile":
        return "text"
    for suffix, lang in _SUFFIX_LANG.items():
        if low.endswith(suffix):
            return lang
    return "text"


# -- Markdown text helpers ----------------------------------------------------------------------
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def esc(text: str, *, table: bool = False) -> str:
    """Project-derived text fit for a Markdown line: secrets masked, one line, HTML inert
    outside code spans (and `|` escaped in tables)."""
    text = " ".join(safe_text(text).split())
    out: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_esc_plain(text[pos : m.start()], table))
        span = m.group(0)
        out.append(span.replace("|", "\\|") if table else span)
        pos = m.end()
    out.append(_esc_plain(text[pos:], table))
    return "".join(out)


def _esc_plain(text: str, table: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if table:
        text = text.replace("|", "\\|")
    return text


def code(text: str) -> str:
    """An inline code span that holds `text` whatever backticks it contains."""
    text = " ".join(safe_text(text).split())
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def ref(loc: Location | None) -> str:
    if loc is None:
        return "(no location)"
    return code(f"{loc.path}:{loc.line}")


def fence(body: str, lang: str) -> list[str]:
    """A fenced code block that no backtick run inside `body` can close early."""
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{lang}", *body.splitlines(), ticks]


def _runs(lines: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


@dataclass(slots=True)
class Doc:
    """Everything one Markdown report is rendered from."""

    analysis: Analysis
    facts: ProjectFacts
    verdict: Verdict
    checklist: Checklist
    meta: ReportMetadata
    sources: dict[str, SourceFile | None]
    quoted: set[tuple[str, int]] = field(default_factory=set)

    def lines_of(self, path: str) -> list[str]:
        src = self.sources.get(path)
        if src is None:
            src = self.analysis.context.source(path)
            self.sources[path] = src
        return src.text.splitlines() if src is not None else []

    def quote(self, path: str, lines: Iterable[int], lang: str | None = None) -> list[str]:
        """The given lines of a file, in fenced blocks (one per run of adjacent lines), each
        headed by its path and line range; common indentation removed, secrets masked."""
        text = self.lines_of(path)
        wanted = [n for n in lines if 1 <= n <= len(text)]
        out: list[str] = []
        for first, last in _runs(wanted):
            body = textwrap.dedent(
                "\n".join(safe_text(text[n - 1]).rstrip() for n in range(first, last + 1))
            )
            span = f"{first}" if first == last else f"{first}-{last}"
            out.append(f"{code(path)} line{'s' if first != last else ''} {span}:")
            out.append("")
            out.extend(fence(body, lang or language_of(path)))
            out.append("")
        return out


# -- the seven areas ----------------------------------------------------------------------------
@dataclass(slots=True)
class AreaBody:
    """What an area shows: configuration quoted from the files, and verification bullets,
    each ending with the `path:line` that backs it."""

    configuration: list[str] = field(default_factory=list)
    verification: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def verify(self, text: str, loc: Location | None) -> None:
        self.verification.append(f"- {text} ({ref(loc)})")


def _missing(doc: Doc, *names: str) -> AreaBody | None:
    absent = [doc.facts.missing(n) for n in names if doc.facts.get(n) is None]
    if not absent:
        return None
    return AreaBody(notes=[f"_Not analyzed yet: {esc('; '.join(absent))}._"])


def _stacks(doc: Doc) -> tuple[Any, ...]:
    return tuple(doc.facts.get("stacks") or ())


def _stack_label(stack: Any) -> str:
    files = getattr(stack, "files", ()) or ()
    return " + ".join(files) if files else str(getattr(stack, "id", "compose"))


def _mount_lines(service: Any) -> list[int]:
    return [m.location.line for m in getattr(service, "mounts", ())]


def area_volume_mounts(doc: Doc) -> AreaBody:
    missing = _missing(doc, "stacks")
    if missing:
        return missing
    body = AreaBody()
    db_names = _database_service_names(doc)
    for stack in _stacks(doc):
        for service in stack.services:
            if not service.mounts or (stack.id, service.name) in db_names:
                continue
            path = service.mounts[0].location.path
            body.configuration.append(
                f"**{esc(service.name)}** volumes ({esc(_stack_label(stack))}):"
            )
            body.configuration.append("")
            body.configuration += doc.quote(path, _mount_lines(service))
            for m in service.mounts:
                body.verify(f"{code(service.name)}: {esc(m.label)}", m.location)
    if not body.configuration:
        body.notes.append("_No application service mounts a volume._")
    return body


def _database_service_names(doc: Doc) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for db in doc.facts.get("databases") or ():
        stack = getattr(db, "stack", None) or getattr(db, "stack_id", None)
        service = getattr(db, "service", None)
        name = getattr(service, "name", service)
        if isinstance(stack, str) and isinstance(name, str):
            out.add((stack, name))
        elif isinstance(getattr(stack, "id", None), str) and isinstance(name, str):
            out.add((str(getattr(stack, "id", "")), name))
    return out


_URL_VARS = ("DATABASE_URL", "DIRECT_URL", "SHADOW_DATABASE_URL", "POSTGRES_PRISMA_URL")


def area_environment(doc: Doc) -> AreaBody:
    missing = _missing(doc, "stacks")
    if missing:
        return missing
    body = AreaBody()
    for stack in _stacks(doc):
        names = {s.name for s in stack.services}
        for service in stack.services:
            for var in service.environment:
                if var.name not in _URL_VARS and "PASSWORD" not in var.name:
                    continue
                body.configuration += doc.quote(var.location.path, [var.location.line])
                raw = var.raw if var.raw is not None else (var.value or "")
                if var.name in _URL_VARS and var.value:
                    host = _url_host(var.value)
                    if host is not None:
                        where = (
                            "a service of this compose project"
                            if host in names
                            else "not a service of this compose project"
                        )
                        body.verify(
                            f"{code(service.name)} {code(var.name)} points at host {code(host)}, {where}",
                            var.location,
                        )
                literal = bool(raw) and "$" not in raw and var.value is not None
                body.verify(
                    f"{code(service.name)} {code(var.name)} "
                    + (
                        "is written literally in the file"
                        if literal
                        else "takes its credentials from variables"
                    ),
                    var.location,
                )
    if not body.configuration:
        body.notes.append("_No service sets `DATABASE_URL` or a database password._")
    return body


_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?P<host>\[[^\]]*\]|[^:/?#]*)", re.I)


def _url_host(url: str) -> str | None:
    m = _URL.match(url.strip())
    return m["host"] if m and m["host"] else None


def area_not_written(doc: Doc) -> AreaBody:
    return AreaBody(notes=["_Not analyzed yet._"])


AREA_RENDERERS: dict[str, Callable[[Doc], AreaBody]] = {
    "persistence": area_not_written,
    "migrations": area_not_written,
    "schema": area_not_written,
    "wait-script": area_not_written,
    "dockerfile": area_not_written,
    "volume-mounts": area_volume_mounts,
    "environment": area_environment,
}


def _finding_bullet(f: Finding) -> str:
    rule = BY_ID.get(f.rule)
    name = rule.name if rule else "unknown-rule"
    return (
        f"- {SEVERITY_BADGE[f.severity]} **{f.severity.label.upper()}** {f.rule} {name}: "
        f"{esc(f.message)} ({ref(f.location)})"
    )


def area_section(doc: Doc, index: int, area: AreaVerdict) -> list[str]:
    badge = LEVEL_BADGE[area.level]
    out = [f"### {index}. {area.title} {badge} {area.level.value}", ""]
    try:
        body = AREA_RENDERERS[area.id](doc)
    except Exception as exc:  # a renderer bug must not lose the rest of the report
        body = AreaBody(notes=[f"_This section failed to render: {esc(type(exc).__name__)}._"])
    if body.configuration:
        out += ["**Configuration found:**", "", *body.configuration]
    out += [f"**Status:** {badge} **{area.level.value}**", ""]
    if body.verification:
        out += ["**Verification:**", "", *body.verification, ""]
    if body.notes:
        out += [*body.notes, ""]
    if area.findings:
        out += ["**Findings:**", "", *(_finding_bullet(f) for f in area.findings), ""]
    else:
        first, last = area.rules[0], area.rules[-1]
        out += [f"No finding of this area's rules ({first}–{last}).", ""]
    out += ["---", ""]
    return out


def summary_section(doc: Doc) -> list[str]:
    out = [f"## {LEVEL_BADGE[doc.verdict.level]} Configuration Review Summary", ""]
    for i, area in enumerate(doc.verdict.areas, start=1):
        out += area_section(doc, i, area)
    return out


# -- issues -------------------------------------------------------------------------------------
def _all_findings(doc: Doc) -> tuple[Finding, ...]:
    errors = tuple(internal_error_finding(e) for e in doc.analysis.errors)
    return doc.analysis.active + errors


def issues_section(doc: Doc) -> list[str]:
    out = ["## 🔍 Potential Issues & Mitigations", ""]
    findings = by_severity(_all_findings(doc))
    issues = [f for f in findings if f.severity > Severity.INFO]
    info = [f for f in findings if f.severity == Severity.INFO]
    if not issues:
        out += ["No issue above informational level.", ""]
    for n, f in enumerate(issues, start=1):
        help_ = rule_help(f.rule)
        out += [
            f"### Issue {n}: {f.rule} {help_.name}",
            "",
            f"**Scenario:** {esc(f.message)}",
            "",
            f"**Where:** {ref(f.location)}",
        ]
        for r in f.related:
            out.append(f"- related: {esc(r.message)} ({ref(r.location)})")
        out += [
            "",
            f"**Risk Level:** {SEVERITY_BADGE[f.severity]} **{f.severity.label.upper()}**",
            "",
            f"**Why it matters:** {esc(help_.rationale)}",
            "",
        ]
        if help_.fix:
            out += [f"**Mitigation:** {esc(help_.fix)}", ""]
        if help_.good:
            out += ["For example:", "", *fence(help_.good, help_.good_lang), ""]
        out += ["---", ""]
    if info:
        out += ["### Informational", "", "| Rule | Where | What |", "|---|---|---|"]
        for f in info:
            out.append(f"| {f.rule} | {ref(f.location)} | {esc(f.message, table=True)} |")
        out.append("")
    suppressed = [f for f in doc.analysis.findings if f.suppressed is not None]
    if suppressed:
        out += ["### Suppressed", "", "| Rule | Where | Reason |", "|---|---|---|"]
        for f in suppressed:
            reason = f.suppressed.reason if f.suppressed else ""
            out.append(f"| {f.rule} | {ref(f.location)} | {esc(reason, table=True)} |")
        out.append("")
    return out


# -- checklist ----------------------------------------------------------------------------------
def _evidence_bullet(e: Evidence) -> str:
    if e.rule and e.severity is not None:
        return f"  - {SEVERITY_BADGE[e.severity]} {esc(e.text)} ({ref(e.location)})"
    return f"  - {esc(e.text)}" + (f" ({ref(e.location)})" if e.location else "")


def _item_lines(item: ChecklistItem) -> list[str]:
    box = "[x]" if item.checked else "[ ]"
    badge = STATUS_BADGE[item.status]
    line = f"- {box} {badge} {item.text} — **{item.status.value}**"
    if item.reason:
        line += f": {esc(item.reason)}"
    return [line, *(_evidence_bullet(e) for e in item.evidence)]


def checklist_section(doc: Doc) -> list[str]:
    out = ["## 📋 Data Safety Checklist", ""]
    out += [
        "`[x]`: holds (or nothing to check); `[ ]`: breaks, warns, or cannot be told from the "
        "files. Each item lists the findings that break it or the lines that prove it.",
        "",
    ]
    for section in Section:
        out += [f"### {SECTION_BADGE[section]} {section.value}", ""]
        for item in doc.checklist.section(section):
            out += _item_lines(item)
        out.append("")
    return out


# -- verdict ------------------------------------------------------------------------------------
def verdict_section(doc: Doc) -> list[str]:
    v = doc.verdict
    out = [
        "## 🎯 Final Verdict",
        "",
        f"### Overall Data Safety: {LEVEL_BADGE[v.level]} **{v.level.value}**",
        "",
    ]
    if v.decided_by is not None and v.decided_by.severity > Severity.INFO:
        f = v.decided_by
        out += [
            f"Decided by {f.rule} ({f.severity.label}): {esc(f.message)} ({ref(f.location)})",
            "",
        ]
    else:
        out += ["No finding above informational level.", ""]
    counts = ", ".join(f"{n} {s.label}" for s, n in v.counts if n) or "none"
    out += [
        f"**Findings:** {counts}" + (f" ({v.suppressed} suppressed)" if v.suppressed else ""),
        "",
    ]
    out += ["| Area | Status | Findings | Decided by |", "|---|---|---|---|"]
    for area in v.areas:
        by = (
            f"{area.decided_by.rule} at {ref(area.decided_by.location)}"
            if area.decided_by and area.decided_by.severity > Severity.INFO
            else "—"
        )
        out.append(
            f"| {area.title} | {LEVEL_BADGE[area.level]} {area.level.value} | "
            f"{len(area.findings)} | {by} |"
        )
    out += [
        "",
        "Thresholds: any critical finding makes the project UNSAFE, any high finding AT RISK, "
        "medium or low findings SAFE WITH WARNINGS; with informational findings only, SAFE. "
        "Suppressed findings do not count.",
        "",
    ]
    return out


# -- test scenarios -----------------------------------------------------------------------------
def scenarios_section(doc: Doc) -> list[str]:
    return ["## 🧪 Test Scenarios", "", "_Not analyzed yet._", ""]


# -- relations ----------------------------------------------------------------------------------
def relations_section(doc: Doc) -> list[str]:
    return ["## 🔗 Relations", "", "_Not analyzed yet._", ""]


# -- files --------------------------------------------------------------------------------------
def files_section(doc: Doc) -> list[str]:
    out = ["## 📚 Files analyzed", ""]
    if not doc.meta.files:
        return [*out, "No file was read.", ""]
    out += ["| File | sha256 | Bytes |", "|---|---|---:|"]
    for d in doc.meta.files:
        out.append(f"| {code(d.path)} | `{d.sha256}` | {d.size} |")
    out.append("")
    return out


# -- header and assembly ------------------------------------------------------------------------
def header_section(doc: Doc) -> list[str]:
    meta = doc.meta
    v = doc.verdict
    if meta.git is None:
        git = "not a git work tree"
    else:
        state = (
            f"dirty: {len(meta.git.changed)} file{'s' if len(meta.git.changed) != 1 else ''} "
            "differ from the commit"
            if meta.git.dirty
            else "clean"
        )
        branch = f" on {code(meta.git.branch)}" if meta.git.branch else ""
        git = f"{code(meta.git.short)}{branch} ({state})"
    return [
        f"# {TITLE}",
        "",
        "| | |",
        "|---|---|",
        f"| Project | {code(meta.root_label)} |",
        f"{GENERATED_PREFIX} {meta.generated_at} |",
        f"| keepdata | {meta.version} |",
        f"| Git commit | {git} |",
        f"| Files analyzed | {len(meta.files)} |",
        f"| Verdict | {LEVEL_BADGE[v.level]} **{v.level.value}** |",
        "",
    ]


BODY_SECTIONS: tuple[Callable[[Doc], list[str]], ...] = (
    summary_section,
    issues_section,
    checklist_section,
    verdict_section,
    scenarios_section,
    relations_section,
)
"""Between the header and the file list, in the seed's order."""


def build_doc(analysis: Analysis, root_label: str, now: datetime | None = None) -> Doc:
    facts = project_facts(analysis)
    return Doc(
        analysis=analysis,
        facts=facts,
        verdict=verdict(analysis),
        checklist=checklist_of(analysis, facts),
        meta=report_metadata(analysis, root_label, now),
        sources=dict(analysis.context.sources),
    )


def render_markdown(analysis: Analysis, root_label: str, now: datetime | None = None) -> str:
    doc = build_doc(analysis, root_label, now)
    body: list[str] = []
    for section in BODY_SECTIONS:
        body += section(doc)
    # The file list last: quoting may have read a file no fact had read yet.
    doc.meta = report_metadata(analysis, root_label, now)
    lines = header_section(doc) + body + files_section(doc)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"
