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
from dataclasses import field
from datetime import datetime
from typing import Any

from analysis.catalog import BY_ID
from analysis.checklist import (
    Checklist,
    ChecklistItem,
    Evidence,
    Section,
    Status,
    prisma_commands,
)
from analysis.model import Finding, Location, Severity
from analysis.records import dataclass
from analysis.report.metadata import ReportMetadata, report_metadata
from analysis.report.render import rule_help
from analysis.result import Facts, Result
from analysis.secrets import safe_text
from analysis.sources import SourceFile
from analysis.verdict import AreaVerdict, Level, Verdict, by_severity

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
    return tuple(doc.facts.stacks or ())


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
    for db in doc.facts.databases or ():
        if db.stack:
            out.add((db.stack, db.service))
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


def area_persistence(doc: Doc) -> AreaBody:
    missing = _missing(doc, "databases")
    if missing:
        return missing
    body = AreaBody()
    dbs = tuple(doc.facts.databases or ())
    if not dbs:
        body.notes.append("_No compose file runs a database service._")
        return body
    for db in dbs:
        lines = [m.location.line for m in db.mounts]
        path = db.location.path
        if db.image_location is not None and db.image_location.path == path:
            lines.append(db.image_location.line)
        decl = None
        holder = db.holder
        if holder is not None and holder.kind == "volume":
            decl = _volume_decl(doc, db.stack, holder.source)
        body.configuration.append(f"**{esc(db.service)}** ({esc(db.engine)}):")
        body.configuration.append("")
        body.configuration += doc.quote(path, lines)
        if decl is not None:
            body.configuration += doc.quote(decl.location.path, [decl.location.line])
        image = db.image or db.engine
        version = db.version if db.version_known else f"major version unknown ({db.version})"
        body.verify(f"{code(db.service)} runs {code(image)}, {esc(version)}", db.image_location)
        body.verify(
            f"data directory {code(db.storage.data_dir)} ({esc(db.data_dir_source)})",
            db.data_dir_location or db.image_location or db.location,
        )
        if holder is not None:
            body.verify(esc(db.reason), holder.location)
        else:
            body.verify(f"no mount holds it: {esc(db.reason)}", db.location)
        if decl is not None:
            driver = "external" if decl.external else f"driver {code(decl.driver or 'local')}"
            body.verify(f"volume {code(decl.name)} is declared, {driver}", decl.location)
        if holder is not None and holder.kind == "volume":
            body.notes.append(
                f"Data of {code(db.service)} survives `restart`, `down`/`up`, rebuilds and image "
                f"updates; only `docker compose down -v` or `docker volume rm` deletes it."
            )
    return body


def _volume_decl(doc: Doc, stack_id: str, name: str | None) -> Any:
    for stack in _stacks(doc):
        if stack.id == stack_id:
            for decl in stack.volumes:
                if decl.name == name:
                    return decl
    return None


def area_migrations(doc: Doc) -> AreaBody:
    body = AreaBody()
    startup = doc.facts.startup
    if startup is None:
        body.notes.append(f"_Startup path not analyzed yet: {esc(doc.facts.missing('startup'))}._")
    else:
        commands = prisma_commands(doc.facts)
        by_file: dict[str, list[int]] = {}
        order = {"startup": 0, "deploy": 1, "build": 2, "developer": 3}
        for c in sorted(commands, key=lambda c: (order.get(c.context, 4), c.location)):
            by_file.setdefault(c.location.path, []).append(c.location.line)
            cond = f", when {code(c.condition)}" if c.condition else ""
            body.verify(f"{code(c.text)} ({esc(c.context)}{cond})", c.location)
        for path, lines in sorted(by_file.items()):
            body.configuration += doc.quote(path, lines)
        if not commands:
            body.notes.append("_No Prisma command in any script, Dockerfile or compose file._")
    histories = doc.facts.migrations
    if histories is None:
        body.notes.append(f"_Not analyzed yet: {esc(doc.facts.missing('migrations'))}._")
        return body
    if not histories:
        body.notes.append("_The project has no Prisma migrations folder._")
    for h in histories:
        ms = h.migrations
        if not ms:
            body.verify(f"{code(h.folder)} holds no migration", Location(h.folder, 1))
            continue
        first, last = ms[0], ms[-1]
        body.verify(
            f"{code(h.folder)}: {len(ms)} migration{'s' if len(ms) != 1 else ''} "
            f"({esc(h.provider or 'provider unknown')}), first {code(first.name)}",
            Location(first.sql.path if first.sql else first.path, 1),
        )
        if len(ms) > 1:
            body.verify(
                f"last {code(last.name)}", Location(last.sql.path if last.sql else last.path, 1)
            )
        if h.lock_path:
            body.verify(
                f"{code('migration_lock.toml')} pins provider {code(h.provider or '?')}",
                Location(h.lock_path, 1),
            )
    return body


def area_schema(doc: Doc) -> AreaBody:
    missing = _missing(doc, "schemas", "relations")
    if missing:
        return missing
    body = AreaBody()
    schemas = tuple(doc.facts.schemas or ())
    if not schemas:
        body.notes.append("_The project has no Prisma schema._")
        return body
    for schema in schemas:
        body.verify(
            f"{code(schema.root)}: {len(schema.models)} models, provider "
            f"{code(schema.provider or '?')}, relation mode {code(schema.relation_mode)}",
            schema.datasource.location if schema.datasource is not None else None,
        )
    cascade_lines: dict[str, list[int]] = {}
    for graph in doc.facts.relations or ():
        for rel in graph.relations:
            loc = rel.action_location or rel.location
            if loc is None:
                continue
            if rel.on_delete == "Cascade":
                cascade_lines.setdefault(loc.path, []).append(loc.line)
            explicit = "" if rel.on_delete_explicit else " (Prisma's default)"
            body.verify(
                f"{code(f'{rel.child.model}.{rel.child.field}')} → "
                f"{code(f'onDelete: {rel.on_delete}')}{explicit}",
                loc,
            )
    if cascade_lines:
        body.configuration.append("**Relations with cascade deletes:**")
        body.configuration.append("")
        for path, lines in sorted(cascade_lines.items()):
            body.configuration += doc.quote(path, lines)
    body.notes.append(
        "Whether every required field without a default is set on creation is decided by the "
        "application's code: the schema alone cannot tell."
    )
    return body


def area_dockerfile(doc: Doc) -> AreaBody:
    missing = _missing(doc, "images")
    if missing:
        return missing
    body = AreaBody()
    images = tuple(doc.facts.images or ())
    if not images:
        body.notes.append("_No Dockerfile builds an image._")
        return body
    for image in images:
        lines: list[int] = []
        for step in image.copies:
            if step.location.path == image.dockerfile:
                lines.append(step.location.line)
        for cmd in image.prisma:
            if cmd.location.path == image.dockerfile:
                lines.append(cmd.location.line)
                where = "after the schema is copied" if cmd.schema_present else "before the schema"
                body.verify(f"{code('prisma ' + cmd.command)} at build time, {where}", cmd.location)
        stage = image.stage
        if stage is not None:
            for ins in stage.instructions:
                if ins.keyword.upper() in ("ENTRYPOINT", "CMD"):
                    lines.append(ins.line)
                    body.verify(
                        f"{code(ins.keyword.upper())} of the final stage",
                        Location(image.dockerfile, ins.line),
                    )
        body.configuration += doc.quote(image.dockerfile, lines)
        for mig in image.migrations:
            if mig.ignored_by is not None:
                ignored = getattr(mig.ignored_by, "location", None)
                body.verify(
                    f"{code(mig.folder)} is excluded from the image by {code('.dockerignore')}",
                    ignored if isinstance(ignored, Location) else None,
                )
            else:
                body.verify(
                    f"{mig.in_image} of {mig.files} files of {code(mig.folder)} reach the image",
                    mig.copy,
                )
        if image.dockerignore_path:
            body.verify(
                f"build context {code(image.context)} filtered by {code(image.dockerignore_path)}",
                Location(image.dockerignore_path, 1),
            )
    return body


_SET_E = re.compile(r"^\s*set\s+(?:-[a-zA-Z]*e[a-zA-Z]*|-o\s+errexit)\b")
_WAIT = re.compile(r"\b(?:until|while)\b.*\b(?:nc|pg_isready|mysqladmin|wait-for|curl|prisma)\b")
_EXEC = re.compile(r"^\s*exec\s+")
_GIVE_UP = re.compile(r"^\s*(?:if|\[|\[\[).*-(?:ge|gt)\b")


def _script_lines(doc: Doc, path: str) -> list[tuple[int, str]]:
    """Lines of an entrypoint script that show how it waits and fails."""
    out: list[tuple[int, str]] = []
    for n, line in enumerate(doc.lines_of(path), start=1):
        if _SET_E.search(line):
            out.append((n, "stops on the first failing command"))
        elif _WAIT.search(line):
            out.append((n, "waits for the database"))
        elif _GIVE_UP.search(line):
            out.append((n, "gives up after a maximum number of attempts"))
        elif _EXEC.search(line):
            out.append((n, "hands the process over to the app (`exec`)"))
    return out


def area_wait_script(doc: Doc) -> AreaBody:
    missing = _missing(doc, "stacks")
    if missing:
        return missing
    body = AreaBody()
    startup = doc.facts.startup
    for stack in _stacks(doc):
        for service in stack.services:
            for dep in service.depends_on if startup is None else ():
                body.verify(
                    f"{code(service.name)} waits for {code(dep.service)}: {code(dep.condition)}",
                    dep.location,
                )
            if service.healthcheck is not None and not service.healthcheck.disabled:
                body.verify(f"{code(service.name)} has a healthcheck", service.healthcheck.location)
    entry: set[str] = set()
    for path in getattr(startup, "paths", ()) or ():
        if path.context != "startup":
            continue
        for wait in path.waits:
            bound = (
                f"bounded ({wait.bound})"
                if wait.bounded and wait.bound
                else "bounded"
                if wait.bounded
                else "no limit"
            )
            body.verify(f"{code(path.name)} waits: {esc(wait.label)}, {bound}", wait.location)
        for script in path.entry_scripts:
            entry.add(script.path)
            body.verify(
                f"{code(script.path)} "
                + ("ends with `exec`" if script.ends_with_exec else "does not end with `exec`"),
                script.location,
            )
    scripts = sorted(
        entry
        | {
            p
            for image in doc.facts.images or ()
            for p in _entrypoint_scripts(image)
            if doc.lines_of(p)
        }
    )
    for path in scripts:
        found = _script_lines(doc, path)
        if found:
            body.configuration += doc.quote(path, [n for n, _ in found])
        for n, what in found:
            if startup is None or what.startswith("stops"):
                body.verify(f"{code(path)} {what}", Location(path, n))
    if doc.facts.startup is None:
        body.notes.append(f"_Startup path not analyzed yet: {esc(doc.facts.missing('startup'))}._")
    if not body.verification:
        body.notes.append("_No wait step, dependency or healthcheck found._")
    return body


def _entrypoint_scripts(image: Any) -> list[str]:
    """Project files the final stage's ENTRYPOINT/CMD name (COPY destination mapped back)."""
    stage = image.stage
    if stage is None:
        return []
    dest_to_src: dict[str, str] = {}
    for step in image.copies:
        c = step.copy
        for src in c.sources:
            target = (
                c.target
                if not c.target_is_dir
                else posixpath.join(c.target, posixpath.basename(src))
            )
            base = image.context if image.context not in ("", ".") else ""
            dest_to_src[posixpath.normpath(target)] = posixpath.normpath(posixpath.join(base, src))
    out: list[str] = []
    for ins in stage.instructions:
        if ins.keyword.upper() not in ("ENTRYPOINT", "CMD"):
            continue
        for word in re.findall(r"[\w./-]+\.sh\b", ins.text):
            abs_target = word if word.startswith("/") else posixpath.join(ins.workdir, word)
            src = dest_to_src.get(posixpath.normpath(abs_target))
            if src:
                out.append(src)
    return out


AREA_RENDERERS: dict[str, Callable[[Doc], AreaBody]] = {
    "persistence": area_persistence,
    "migrations": area_migrations,
    "schema": area_schema,
    "wait-script": area_wait_script,
    "dockerfile": area_dockerfile,
    "volume-mounts": area_volume_mounts,
    "environment": area_environment,
}
"""The renderer of each of the seven areas (analysis.verdict.AREAS)."""


def _finding_bullet(f: Finding) -> str:
    rule = BY_ID.get(f.rule)
    name = rule.name if rule else "unknown-rule"
    return (
        f"- {SEVERITY_BADGE[f.severity]} **{f.severity.label.upper()}** {f.rule} {name}: "
        f"{esc(f.message)} ({ref(f.location)})"
    )


def _cut_outside_fence(lines: list[str], limit: int) -> int:
    """The largest cut point at or below `limit` that is not inside a fenced block."""
    inside = False
    best = 0
    for i, line in enumerate(lines[:limit]):
        if line.startswith("```"):
            inside = not inside
        if not inside and not line.startswith("```"):
            best = i + 1
    return best


def area_section(doc: Doc, index: int, area: AreaVerdict) -> list[str]:
    badge = LEVEL_BADGE[area.level]
    out = [f"### {index}. {area.title} {badge} {area.level.value}", ""]
    try:
        body = AREA_RENDERERS[area.id](doc)
    except Exception as exc:  # a renderer bug must not lose the rest of the report
        body = AreaBody(notes=[f"_This section failed to render: {esc(type(exc).__name__)}._"])
    if body.configuration:
        shown = body.configuration
        if not doc.full and len(shown) > TOP_CONFIGURATION:
            cut = _cut_outside_fence(shown, TOP_CONFIGURATION)
            shown = [*shown[:cut], f"_… {len(shown) - cut} more lines: {FULL_HINT}._", ""]
        out += ["**Configuration found:**", "", *shown]
    out += [f"**Status:** {badge} **{area.level.value}**", ""]
    if body.verification:
        out += ["**Verification:**", "", *body.verification, ""]
    if body.notes:
        out += [*body.notes, ""]
    if area.findings and not doc.full:
        counts = ", ".join(
            f"{n} {s.label}" for s, n in sorted(area.counts.items(), reverse=True) if n
        )
        out += [f"**Findings:** {counts} (listed once, under Potential Issues).", ""]
    elif area.findings:
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
    return doc.analysis.active


def _issue_groups(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings above info grouped by rule; groups ordered by their worst severity, then by
    the first finding's place (findings come most severe first)."""
    groups: dict[str, list[Finding]] = {}
    for f in by_severity(tuple(findings)):
        if f.severity > Severity.INFO:
            groups.setdefault(f.rule, []).append(f)
    return list(groups.items())


def issues_section(doc: Doc) -> list[str]:
    out = ["## 🔍 Potential Issues & Mitigations", ""]
    findings = by_severity(_all_findings(doc))
    groups = _issue_groups(findings)
    info = [f for f in findings if f.severity == Severity.INFO]
    if not groups:
        out += ["No issue above informational level.", ""]
    rest = [] if doc.full else groups[TOP_ISSUES:]
    if rest:
        groups = groups[:TOP_ISSUES]
    for n, (rule_id, items) in enumerate(groups, start=1):
        help_ = rule_help(rule_id)
        worst = items[0].severity
        count = f" ({len(items)} findings)" if len(items) > 1 else ""
        out += [
            f"### Issue {n}: {rule_id} {help_.name}{count}",
            "",
            f"**Risk Level:** {SEVERITY_BADGE[worst]} **{worst.label.upper()}**",
            "",
            "**Scenario:**",
            "",
        ]
        shown = items if doc.full else items[:TOP_PER_ISSUE]
        for f in shown:
            level = f" ({f.severity.label})" if f.severity != worst else ""
            out.append(f"- {esc(f.message)}{level} ({ref(f.location)})")
            for r in f.related:
                out.append(f"  - related: {esc(r.message)} ({ref(r.location)})")
        if len(shown) < len(items):
            out.append(f"- … and {len(items) - len(shown)} more: {FULL_HINT}")
        out += ["", f"**Why it matters:** {esc(help_.rationale)}", ""]
        if help_.fix:
            out += [f"**Mitigation:** {esc(help_.fix)}", ""]
        if help_.good and doc.full:
            out += ["For example:", "", *fence(help_.good, help_.good_lang), ""]
        out += ["---", ""]
    if rest:
        out += [
            f"### {len(rest)} more issues",
            "",
            "| Rule | Findings | Worst | First at |",
            "|---|---:|---|---|",
        ]
        for rule_id, items in rest:
            out.append(
                f"| {rule_id} {rule_help(rule_id).name} | {len(items)} | "
                f"{SEVERITY_BADGE[items[0].severity]} {items[0].severity.label} | "
                f"{ref(items[0].location)} |"
            )
        out += ["", f"Every finding: {FULL_HINT}, or `keepdata check`.", ""]
    if info and not doc.full:
        per_rule: dict[str, int] = {}
        for f in info:
            per_rule[f.rule] = per_rule.get(f.rule, 0) + 1
        listed = ", ".join(f"{rule} ×{n}" for rule, n in per_rule.items())
        out += ["### Informational", "", f"{len(info)} informational findings: {listed}.", ""]
        info = []
    if info:
        out += ["### Informational", "", "| Rule | Where | What |", "|---|---|---|"]
        for f in info:
            out.append(f"| {f.rule} | {ref(f.location)} | {esc(f.message, table=True)} |")
        out.append("")
    suppressed = [f for f in doc.analysis.findings if f.suppressed is not None]
    if suppressed and not doc.full:
        out += ["### Suppressed", "", f"{len(suppressed)} suppressed findings ({FULL_HINT}).", ""]
        suppressed = []
    if suppressed:
        out += ["### Suppressed", "", "| Rule | Where | Reason |", "|---|---|---|"]
        for f in suppressed:
            reason = f.suppressed.reason if f.suppressed else ""
            out.append(f"| {f.rule} | {ref(f.location)} | {esc(reason, table=True)} |")
        out.append("")
    return out


# -- checklist ----------------------------------------------------------------------------------
def _evidence_bullet(e: Evidence, full: bool = True) -> str:
    if e.rule and e.severity is not None:
        if not full:  # the finding itself is told under Potential Issues: name it only
            return f"  - {SEVERITY_BADGE[e.severity]} {e.rule} ({ref(e.location)})"
        return f"  - {SEVERITY_BADGE[e.severity]} {esc(e.text)} ({ref(e.location)})"
    return f"  - {esc(e.text)}" + (f" ({ref(e.location)})" if e.location else "")


def _item_lines(item: ChecklistItem, full: bool = True) -> list[str]:
    box = "[x]" if item.checked else "[ ]"
    badge = STATUS_BADGE[item.status]
    line = f"- {box} {badge} {item.text} — **{item.status.value}**"
    if item.reason:
        line += f": {esc(item.reason)}"
    evidence = item.evidence if full else item.evidence[:TOP_EVIDENCE]
    more = len(item.evidence) - len(evidence)
    tail = [f"  - … and {more} more"] if more else []
    return [line, *(_evidence_bullet(e, full) for e in evidence), *tail]


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
            out += _item_lines(item, doc.full)
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
            f"Decided by {f.rule} ({f.severity.label})"
            + (f": {esc(f.message)}" if doc.full else f" {rule_help(f.rule).name}")
            + f" ({ref(f.location)})",
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
    recommendations = _recommendations(doc)
    if recommendations:
        out += ["", "**Recommendations:**", ""]
        out += [f"{n}. {text}" for n, text in enumerate(recommendations, start=1)]
    out += [
        "",
        "Thresholds: any critical finding makes the project UNSAFE, any high finding AT RISK, "
        "medium or low findings SAFE WITH WARNINGS; with informational findings only, SAFE. "
        "Suppressed findings do not count.",
        "",
    ]
    return out


def _recommendations(doc: Doc) -> list[str]:
    """What to do next: fix each issue (most severe first), then the checklist's warnings."""
    out: list[str] = []
    for n, (rule_id, items) in enumerate(_issue_groups(_all_findings(doc)), start=1):
        where = ref(items[0].location)
        more = f" and {len(items) - 1} more" if len(items) > 1 else ""
        out.append(f"Fix Issue {n} ({rule_id} {rule_help(rule_id).name}) at {where}{more}.")
    for item in doc.checklist.items:
        if item.id == "down-v-deletes-data":  # said below, with the backup advice
            continue
        if item.status is Status.WARN and not any(e.rule for e in item.evidence):
            out.append(f"{esc(item.text)}: {esc(item.reason)}.")
    if any(getattr(db.holder, "kind", None) == "volume" for db in doc.facts.databases or ()):
        out.append(
            "Back up the database before major changes, and never run `docker compose down -v` "
            "where the data matters."
        )
    return out


# -- test scenarios -----------------------------------------------------------------------------
_SAFE_WORD = re.compile(r"^[A-Za-z0-9_.-]+$")


def _word(text: str | None, default: str) -> str:
    """A value fit to paste into a shell command; anything else falls back to `default`."""
    if text and _SAFE_WORD.match(text) and "$" not in text:
        return text
    return default


@dataclass(slots=True, frozen=True)
class ScenarioTarget:
    """What the scenarios are written for: this project's names."""

    compose_file: str
    project: str | None
    db_service: str
    engine: str
    user: str
    database: str
    volume: str | None
    app_service: str | None
    table: str | None
    migrate_script: str | None


def _scenario_target(doc: Doc) -> ScenarioTarget | None:
    dbs = tuple(doc.facts.databases or ())
    if not dbs:
        return None
    db = dbs[0]
    stack = next((s for s in _stacks(doc) if s.id == db.stack), None)
    if stack is None:
        return None
    service = next((s for s in stack.services if s.name == db.service), None)
    env = service.env_value if service is not None else (lambda name: None)
    user = _word(env("POSTGRES_USER"), "postgres")
    database = _word(env("POSTGRES_DB"), user)
    app = next(
        (
            s.name
            for s in stack.services
            if s.name != db.service and any(d.service == db.service for d in s.depends_on)
        ),
        None,
    )
    holder = db.holder
    volume = holder.source if holder is not None and holder.kind == "volume" else None
    table = None
    for schema in doc.facts.schemas or ():
        for model in schema.models:
            table = model.table_name
            break
        if table:
            break
    name = stack.name.value if stack.name is not None else None
    return ScenarioTarget(
        compose_file=stack.files[0] if stack.files else "docker-compose.yml",
        project=name,
        db_service=db.service,
        engine=db.family,
        user=user,
        database=database,
        volume=volume,
        app_service=app,
        table=table,
        migrate_script=_package_script(doc, "migrate dev"),
    )


def _package_script(doc: Doc, command: str) -> str | None:
    """The name of a package.json script that runs `prisma <command>`, if any."""
    import json

    for path in sorted(doc.sources):
        if posixpath.basename(path) != "package.json" or "node_modules" in path:
            continue
        try:
            data = json.loads("\n".join(doc.lines_of(path)))
        except ValueError:
            continue
        scripts = data.get("scripts") if isinstance(data, dict) else None
        if isinstance(scripts, dict):
            for name, text in scripts.items():
                if isinstance(text, str) and f"prisma {command}" in text:
                    return str(name)
    return None


def _compose(t: ScenarioTarget) -> str:
    default = t.compose_file in DEFAULT_COMPOSE_FILES and "/" not in t.compose_file
    return "docker compose" if default else f"docker compose -f {t.compose_file}"


DEFAULT_COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def _count_query(t: ScenarioTarget) -> str:
    dc = _compose(t)
    table = t.table or "_prisma_migrations"
    if t.engine == "postgres":
        return (
            f"{dc} exec {t.db_service} psql -U {t.user} -d {t.database} -c "
            f"'SELECT count(*) FROM \"{table}\";'"
        )
    if t.engine in ("mysql", "mariadb"):
        return (
            f'{dc} exec {t.db_service} sh -c \'mysql -u{t.user} -p"$MYSQL_PASSWORD" '
            f'{t.database} -e "SELECT count(*) FROM {table}"\''
        )
    return f"# count the rows of {table} in {t.db_service} with its own client"


def scenarios_section(doc: Doc) -> list[str]:
    out = ["## 🧪 Test Scenarios", ""]
    if doc.facts.databases is None or doc.facts.stacks is None:
        return [*out, f"_Not analyzed yet: {esc(doc.facts.missing('databases'))}._", ""]
    t = _scenario_target(doc)
    if t is None:
        return [*out, "_No compose database to test against._", ""]
    dc = _compose(t)
    count = _count_query(t)
    out += [
        "Written for this project's services; the password is never on the command line "
        "(the container has it in its environment). Run them against a development stack.",
        "",
        "### Test 1: Data Persistence",
        "",
    ]
    steps = [
        f"# 1. Start the stack\n{dc} up -d",
        f"# 2. Count rows (note the number)\n{count}",
        f"# 3. Restart the database and recreate the containers (no -v!)\n"
        f"{dc} restart {t.db_service}\n{dc} down\n{dc} up -d",
        f"# 4. Count again: the number must be the same\n{count}",
    ]
    if t.volume:
        vol = f"{t.project}_{t.volume}" if t.project else f"<project>_{t.volume}"
        steps.append(f"# 5. The data lives in this volume\ndocker volume inspect {vol}")
    out += [*fence("\n\n".join(steps), "bash"), ""]
    if t.app_service:
        app = t.app_service
        out += ["### Test 2: Migration Safety", ""]
        steps = [
            f"# 1. See which migrations are applied\n{dc} exec {app} npx prisma migrate status",
            f"# 2. Count rows\n{count}",
            f"# 3. Restart the app: its start applies pending migrations only\n"
            f"{dc} restart {app}\n{dc} logs --tail=50 {app}",
            f"# 4. Count again: the rows are still there\n{count}",
        ]
        if t.migrate_script:
            steps.insert(
                0,
                f"# 0. Create a migration for a schema change (development only)\n"
                f"{dc} exec {app} npm run {t.migrate_script}",
            )
        out += [*fence("\n\n".join(steps), "bash"), ""]
        out += ["### Test 3: Data Loss Prevention", ""]
        steps = [
            "# 1. On a development database with rows, make a change that loses data\n"
            "#    (drop a column, or make a column with NULLs required) in the schema",
            f"# 2. db push must refuse it without --accept-data-loss\n"
            f"{dc} exec {app} npx prisma db push",
            f"# 3. Nothing was lost\n{count}",
        ]
        out += [*fence("\n\n".join(steps), "bash"), ""]
    out += ["### Test 4: Backup Before Risky Changes", ""]
    if t.engine == "postgres":
        backup = f"{dc} exec -T {t.db_service} pg_dump -U {t.user} -d {t.database} > backup.sql"
        restore = f"{dc} exec -T {t.db_service} psql -U {t.user} -d {t.database} < backup.sql"
        out += [
            *fence(f"# Dump\n{backup}\n\n# Restore (into an empty database)\n{restore}", "bash")
        ]
    else:
        out.append(f"Back up `{t.db_service}` with its engine's dump tool before risky changes.")
    out.append("")
    return out


# -- relations ----------------------------------------------------------------------------------
def relations_section(doc: Doc) -> list[str]:
    out = ["## 🔗 Relations", ""]
    graphs = doc.facts.relations
    if graphs is None:
        return [*out, f"_Not analyzed yet: {esc(doc.facts.missing('relations'))}._", ""]
    if not graphs:
        return [*out, "_The project has no Prisma schema._", ""]
    for graph in graphs:
        diagram = graph.mermaid().rstrip()
        if doc.full or len(diagram) <= MERMAID_LIMIT:
            out += [
                f"{code(graph.schema)}: relations with their `onDelete` action; cascades read "
                '"deleted with parent".',
                "",
                *fence(diagram, "mermaid"),
                "",
            ]
        else:
            out += [
                f"{code(graph.schema)}: the diagram is too large for a comment "
                f"({len(diagram):,} characters; {FULL_HINT}); what deleting a row does:",
                "",
            ]
        rows = [d for d in graph.deletions if d.cascades or d.blockers or d.set_null]
        if not doc.full and len(rows) > TOP_FILES:
            rows = sorted(rows, key=lambda d: -len(d.deleted_models))[:TOP_FILES]
        if rows:
            out += [
                "| Deleting a | also deletes | sets NULL in | is blocked by |",
                "|---|---|---|---|",
            ]
            for d in rows:
                deleted = ", ".join(sorted(set(d.deleted_models))) or "—"
                nulls = ", ".join(sorted({p.end for p in d.set_null})) or "—"
                blockers = ", ".join(sorted({p.end for p in d.blockers})) or "—"
                out.append(
                    f"| {esc(d.model, table=True)} | {esc(deleted, table=True)} | "
                    f"{esc(nulls, table=True)} | {esc(blockers, table=True)} |"
                )
            out.append("")
    return out


# -- files --------------------------------------------------------------------------------------
def files_section(doc: Doc) -> list[str]:
    out = ["## 📚 Files analyzed", ""]
    if not doc.meta.files:
        return [*out, "No file was read.", ""]
    files = doc.meta.files if doc.full else doc.meta.files[:TOP_FILES]
    out += ["| File | sha256 | Bytes |", "|---|---|---:|"]
    for d in files:
        out.append(f"| {code(d.path)} | `{d.sha256}` | {d.size} |")
    out.append("")
    if len(files) < len(doc.meta.files):
        out += [f"… and {len(doc.meta.files) - len(files)} more files ({FULL_HINT}).", ""]
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


def build_doc(
    analysis: Result, root_label: str, now: datetime | None = None, *, full: bool = False
) -> Doc:
    return Doc(
        analysis=analysis,
        facts=analysis.facts,
        verdict=analysis.verdict,
        checklist=analysis.checklist,
        meta=report_metadata(analysis, root_label, now),
        sources=dict(analysis.sources),
        full=full,
    )


def _read_more(result: Result, path: str) -> SourceFile | None:
    """A file the run did not read (a quote of a location in it), through the bounded reader."""
    from analysis.context import normalize
    from analysis.sources import read_source

    rel = normalize(path)
    if rel is None:
        return None
    return read_source(result.root, rel).source


def render_markdown(
    analysis: Result, root_label: str, now: datetime | None = None, *, full: bool = False
) -> str:
    """The report in the seed's shape. Without `full`, at most COMMENT_LIMIT characters: each
    finding once, the top ones per issue, counts for the rest; sections that still do not fit
    give way (file list, diagram, scenarios first), each replaced by a line saying so."""
    doc = build_doc(analysis, root_label, now, full=full)
    parts: list[tuple[str, list[str]]] = []
    for section in BODY_SECTIONS:
        name = section.__name__.removesuffix("_section").replace("_", " ")
        try:
            parts.append((name, section(doc)))
        except Exception as exc:  # a section's bug must not lose the rest of the report
            parts.append(
                (name, [f"_The {name} section failed to render: {esc(type(exc).__name__)}._", ""])
            )
    # The file list last: quoting may have read a file no fact had read yet.
    doc.meta = report_metadata(analysis, root_label, now, read_more=doc.read_more)
    parts = [("header", header_section(doc)), *parts, ("files analyzed", files_section(doc))]
    if not full:
        parts = _fit(parts, COMMENT_LIMIT)
    lines = [line for _, section in parts for line in section]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


_GIVE_WAY = ("files analyzed", "relations", "scenarios", "checklist", "summary", "issues")
"""Sections replaced by a one-line note, in this order, while the compact report is too long."""


def _fit(parts: list[tuple[str, list[str]]], limit: int) -> list[tuple[str, list[str]]]:
    def size(ps: list[tuple[str, list[str]]]) -> int:
        return sum(len(line) + 1 for _, section in ps for line in section)

    out = list(parts)
    for victim in _GIVE_WAY:
        if size(out) <= limit:
            break
        out = [
            (
                name,
                [
                    section[0],
                    "",
                    f"_This section does not fit a pull-request comment: {FULL_HINT}._",
                    "",
                ]
                if name == victim and section
                else section,
            )
            for name, section in out
        ]
    return out
