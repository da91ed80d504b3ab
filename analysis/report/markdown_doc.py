"""What every part of the Markdown report shares: its limits and badges, the Markdown text
helpers (escaping, code spans, fences) and `Doc`, the state one report is rendered from.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from collections.abc import Iterable
from dataclasses import field

from analysis.checklist import (
    Checklist,
    Section,
    Status,
)
from analysis.facts.compose import ComposeStack
from analysis.model import Location, Severity
from analysis.records import dataclass
from analysis.report.metadata import ReportMetadata
from analysis.result import Facts, Result
from analysis.secrets import safe_text
from analysis.sources import SourceFile
from analysis.verdict import Level, Verdict

TITLE = "Prisma Data Safety - Verification Report"

COMMENT_LIMIT = 65_536
"""GitHub's limit for a pull-request comment, in characters: the compact report stays under it."""
TOP_ISSUES = 12
"""Issue groups (one per rule) told in full in the compact report; the rest are a table."""
TOP_PER_ISSUE = 5
"""Findings listed under one issue in the compact report."""
TOP_EVIDENCE = 3
"""Evidence lines under one checklist item in the compact report."""
TOP_FILES = 25
TOP_CONFIGURATION = 60
"""Lines of quoted configuration per area in the compact report."""
MERMAID_LIMIT = 6_000
"""Characters of a relations diagram the compact report still draws."""
FULL_HINT = "`keepdata report --full` or `--format json`"
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
    Level.UNKNOWN: "❔",
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

    analysis: Result
    facts: Facts
    verdict: Verdict
    checklist: Checklist
    meta: ReportMetadata
    sources: dict[str, SourceFile | None]
    quoted: set[tuple[str, int]] = field(default_factory=set)
    read_more: list[SourceFile] = field(default_factory=list)
    """Files the run had not read that a quote read (listed with the files analyzed)."""
    full: bool = False
    """The long form (`report --full`): every finding in its area, every evidence line, the
    whole diagram and file list. Without it the report fits a pull-request comment."""

    def lines_of(self, path: str) -> list[str]:
        src = self.sources.get(path)
        if src is None and path not in self.sources:
            src = _read_more(self.analysis, path)
            self.sources[path] = src
            if src is not None:
                self.read_more.append(src)
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


def stacks_of(doc: Doc) -> tuple[ComposeStack, ...]:
    return tuple(doc.facts.stacks or ())


def _read_more(result: Result, path: str) -> SourceFile | None:
    """A file the run did not read (a quote of a location in it), through the bounded reader."""
    from analysis.context import normalize
    from analysis.sources import read_source

    rel = normalize(path)
    if rel is None:
        return None
    return read_source(result.root, rel).source
