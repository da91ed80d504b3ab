"""The report's other sections: header, Potential Issues & Mitigations, Data Safety
Checklist, Final Verdict, the relations diagram and the files analyzed.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.checklist import (
    ChecklistItem,
    Evidence,
    Section,
    Status,
)
from analysis.model import Finding, Severity
from analysis.report.markdown_doc import (
    FULL_HINT,
    GENERATED_PREFIX,
    LEVEL_BADGE,
    MERMAID_LIMIT,
    SECTION_BADGE,
    SEVERITY_BADGE,
    STATUS_BADGE,
    TITLE,
    TOP_EVIDENCE,
    TOP_FILES,
    TOP_ISSUES,
    TOP_PER_ISSUE,
    Doc,
    code,
    esc,
    fence,
    ref,
)
from analysis.report.render import rule_help
from analysis.verdict import by_severity


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
    if any(
        db.holder is not None and db.holder.kind == "volume" for db in doc.facts.databases or ()
    ):
        out.append(
            "Back up the database before major changes, and never run `docker compose down -v` "
            "where the data matters."
        )
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
