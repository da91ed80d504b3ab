"""`keepdata rules` and `keepdata explain`, from the one catalog."""

from __future__ import annotations

from analysis.catalog import BY_ID, RULES


def rules_table() -> str:
    width = max(len(r.name) for r in RULES)
    lines = [f"{'ID':<6}  {'NAME':<{width}}  {'SEVERITY':<8}  AREA"]
    lines += [f"{r.id:<6}  {r.name:<{width}}  {r.severity.label:<8}  {r.area}" for r in RULES]
    return "\n".join(lines) + "\n"


def explain(rule_id: str) -> str | None:
    r = BY_ID.get(rule_id.upper())
    if r is None:
        return None
    return f"{r.id} {r.name} ({r.severity.label}, {r.area})\n\n{r.summary}\n"
