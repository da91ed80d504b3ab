"""The report's Configuration Review Summary: the seven areas, each with the configuration
quoted from the files and its verification bullets.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING

from analysis.catalog import BY_ID
from analysis.checklist import (
    prisma_commands,
)
from analysis.checklist_provers import volume_decl
from analysis.model import Finding, Location
from analysis.records import dataclass
from analysis.report.markdown_doc import (
    FULL_HINT,
    LEVEL_BADGE,
    SEVERITY_BADGE,
    TOP_CONFIGURATION,
    Doc,
    code,
    esc,
    ref,
    stacks_of,
)
from analysis.verdict import AreaVerdict

if TYPE_CHECKING:
    from analysis.facts.compose import ComposeStack
    from analysis.facts.images.records import Image
    from analysis.parsers.compose.records import Service


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


def _stack_label(stack: ComposeStack) -> str:
    return " + ".join(stack.files) if stack.files else stack.id


def _mount_lines(service: Service) -> list[int]:
    return [m.location.line for m in service.mounts]


def area_volume_mounts(doc: Doc) -> AreaBody:
    missing = _missing(doc, "stacks")
    if missing:
        return missing
    body = AreaBody()
    db_names = _database_service_names(doc)
    for stack in stacks_of(doc):
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
    for stack in stacks_of(doc):
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
            decl = volume_decl(doc.facts, db.stack, holder.source)
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
                body.verify(
                    f"{code(mig.folder)} is excluded from the image by {code('.dockerignore')}",
                    mig.ignored_by.location,
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
    for stack in stacks_of(doc):
        for service in stack.services:
            for dep in service.depends_on if startup is None else ():
                body.verify(
                    f"{code(service.name)} waits for {code(dep.service)}: {code(dep.condition)}",
                    dep.location,
                )
            if service.healthcheck is not None and not service.healthcheck.disabled:
                body.verify(f"{code(service.name)} has a healthcheck", service.healthcheck.location)
    entry: set[str] = set()
    for path in startup.paths if startup is not None else ():
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
    for script_path in scripts:
        found = _script_lines(doc, script_path)
        if found:
            body.configuration += doc.quote(script_path, [n for n, _ in found])
        for n, what in found:
            if startup is None or what.startswith("stops"):
                body.verify(f"{code(script_path)} {what}", Location(script_path, n))
    if doc.facts.startup is None:
        body.notes.append(f"_Startup path not analyzed yet: {esc(doc.facts.missing('startup'))}._")
    if not body.verification:
        body.notes.append("_No wait step, dependency or healthcheck found._")
    return body


def _entrypoint_scripts(image: Image) -> list[str]:
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
            mapped = dest_to_src.get(posixpath.normpath(abs_target))
            if mapped:
                out.append(mapped)
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
