"""`keepdata rules` and `keepdata explain`, from the rule registry (`analysis.rules.registry`).

- `rules_table(area=None, severity=None)`: the aligned table of rules (id, name, severity,
  area), optionally filtered; raises ValueError naming the valid choices for a bad filter.
- `explain(rule)`: one rule for a terminal (plain text, no colour codes), None when unknown.
- `explain_markdown(rule)`: the same as a Markdown section (for the report and docs).
- `rules_markdown()`: every rule as Markdown sections, in catalog order.

A rule may be named by id (`KD602`, any case) or by name (`drop-column`).
"""

from __future__ import annotations

import textwrap

from analysis.model import Severity
from analysis.rules.registry import BY_ID, RULES, Rule, RuleText, anchor

WIDTH = 80
_BY_NAME = {r.name: r for r in RULES}
_COMMENT = {
    "sql": "--",
    "prisma": "//",
    "typescript": "//",
    "json": None,
}


def rule_areas() -> tuple[str, ...]:
    """The areas, in catalog order (for `--area` choices)."""
    return tuple(dict.fromkeys(r.area for r in RULES))


def lookup(rule: str) -> Rule | None:
    """A rule by id (any case) or by name."""
    key = rule.strip()
    return BY_ID.get(key.upper()) or _BY_NAME.get(key.lower())


def select_rules(area: str | None = None, severity: str | None = None) -> tuple[Rule, ...]:
    """The catalog's rules in one area and/or of one default severity."""
    rules = tuple(RULES)
    if area is not None:
        wanted = area.strip().lower()
        areas = rule_areas()
        if wanted not in areas:
            raise ValueError(f"unknown area {area!r} (one of: {', '.join(areas)})")
        rules = tuple(r for r in rules if r.area == wanted)
    if severity is not None:
        try:
            sev = Severity.parse(severity)
        except ValueError:
            levels = ", ".join(s.label for s in sorted(Severity, reverse=True))
            raise ValueError(f"unknown severity {severity!r} (one of: {levels})") from None
        rules = tuple(r for r in rules if r.severity == sev)
    return rules


def rules_table(
    area: str | None = None, severity: str | None = None, *, describe: bool = False
) -> str:
    """The rules as an aligned plain-text table; `describe` adds each rule's short text."""
    rules = select_rules(area, severity)
    if not rules:
        return "no rules match\n"
    width = max(len(r.name) for r in rules)
    area_width = max(len("AREA"), *(len(r.area) for r in rules))
    head = f"{'ID':<6}  {'NAME':<{width}}  {'SEVERITY':<8}  {'AREA':<{area_width}}"
    if describe:
        head += "  DESCRIPTION"
    lines = [head.rstrip()]
    for r in rules:
        line = f"{r.id:<6}  {r.name:<{width}}  {r.severity.label:<8}  {r.area:<{area_width}}"
        if describe:
            text = r.text
            line += f"  {text.short if text else r.summary}"
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _block(code: str, indent: str = "    ") -> str:
    return "\n".join((indent + line).rstrip() for line in code.splitlines())


def suppress_hint(rule: Rule, text: RuleText) -> str:
    """How to silence one finding of the rule in the file its bad example shows."""
    marker = _COMMENT.get(text.bad_lang, "#")
    inline = (
        f'"//": "keepdata-ignore {rule.id}: <reason>"'
        if marker is None
        else f"{marker} keepdata-ignore {rule.id}: <reason>"
    )
    return inline


def explain(rule_id: str) -> str | None:
    """One rule, formatted for a terminal; None for an unknown rule."""
    rule = lookup(rule_id)
    if rule is None:
        return None
    text = rule.text
    out = [
        f"{rule.id}  {rule.name}",
        f"Severity: {rule.severity.label}    Area: {rule.area}",
        "",
    ]
    if text is None:  # a catalog rule without texts: say what the catalog knows
        out += [_wrap(rule.summary, ""), ""]
        return "\n".join(out)
    out += [
        text.short,
        "",
        "Why it loses data",
        _wrap(text.rationale),
        "",
        "What triggers it",
        _wrap(text.trigger),
        "",
        f"Bad ({text.bad_lang})",
        _block(text.bad),
        "",
        f"Good ({text.good_lang})",
        _block(text.good),
        "",
        "Fix",
        _wrap(text.fix),
        "",
        "Suppress",
        f"  on the line or the line above:  {suppress_hint(rule, text)}",
        f'  everywhere, in keepdata.toml:   ignore = ["{rule.id}"]',
        "",
    ]
    return "\n".join(out)


def explain_markdown(rule_id: str, level: int = 3) -> str | None:
    """One rule as a Markdown section (heading anchor: `anchor(id, name)`); None if unknown."""
    rule = lookup(rule_id)
    if rule is None:
        return None
    text = rule.text
    hashes = "#" * max(1, min(level, 6))
    out = [
        f"{hashes} {rule.id} {rule.name}",
        "",
        f"**Severity:** {rule.severity.label} · **Area:** {rule.area}",
        "",
    ]
    if text is None:
        out += [rule.summary, ""]
        return "\n".join(out)
    out += [
        f"*{text.short}*",
        "",
        f"**Why it loses data.** {text.rationale}",
        "",
        f"**What triggers it.** {text.trigger}",
        "",
        "**Bad:**",
        "",
        f"```{text.bad_lang}",
        text.bad,
        "```",
        "",
        "**Good:**",
        "",
        f"```{text.good_lang}",
        text.good,
        "```",
        "",
        f"**Fix.** {text.fix}",
        "",
        f"**Suppress.** `{suppress_hint(rule, text)}` on the line or the line above, or "
        f'`ignore = ["{rule.id}"]` in keepdata.toml.',
        "",
    ]
    return "\n".join(out)


def rules_markdown(level: int = 3) -> str:
    """Every rule as a Markdown section, in catalog order, with a linked index."""
    index = [
        f"- [{r.id} {r.name}](#{anchor(r.id, r.name)}) ({r.severity.label})"
        + (f": {t.short}" if (t := r.text) else "")
        for r in RULES
    ]
    sections = [explain_markdown(r.id, level) or "" for r in RULES]
    return "\n".join(index) + "\n\n" + "\n".join(sections)
