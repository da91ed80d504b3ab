"""Run one rule on one file tree: `run_rule("KD602", tree)` -> that rule's findings.

A tree is a mapping of root-relative paths to file texts (written to a temporary folder) or
the path of a folder. `example_tree(rule, "bad")` turns a rule's documented example into a
tree: the seed application (`examples/seed-app`, a realistic Prisma + Compose project) with
the example written over it at the file its first comment names (`# docker-compose.yml`,
`-- prisma/migrations/.../migration.sql`), or the rule's explicit example trees
(`rule.examples`) when one snippet is not enough.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from analysis.engine import analyze
from analysis.model import Finding
from analysis.rules.registry import BY_ID, Rule
from analysis.settings import Settings

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "examples" / "seed-app"
"""The project every example is written into."""

_COMMENT = re.compile(r"^(?:#|--|//)\s*([\w.@/+-]+?)(?::|\s|$)")
_DEFAULT_PATH = {
    "sh": "scripts/wait-for-db.sh",
    "json": "package.json",
    "prisma": "prisma/schema.prisma",
    "sql": "prisma/migrations/20250501000000_example/migration.sql",
    "dockerfile": "Dockerfile",
    "yaml": "docker-compose.yml",
}
_ALIASES = {"schema.prisma": "prisma/schema.prisma"}


def write_tree(root: Path, tree: Mapping[str, str]) -> Path:
    for rel, text in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def base_tree() -> dict[str, str]:
    """The seed application's files."""
    return {
        str(p.relative_to(BASE)): p.read_text()
        for p in sorted(BASE.rglob("*"))
        if p.is_file() and "node_modules" not in p.parts
    }


def snippet_path(code: str, lang: str) -> str | None:
    """The file an example snippet belongs to: its first comment's path, else the file of
    its language in the seed application; None when it is not a file (a shell session)."""
    first = code.splitlines()[0] if code else ""
    if first.startswith("$ "):
        return None
    m = _COMMENT.match(first)
    if m and ("." in m[1] or "/" in m[1] or m[1] in ("Dockerfile", "Makefile")):
        return _ALIASES.get(m[1], m[1])
    return _DEFAULT_PATH.get(lang)


def _with_datasource(schema: str) -> str:
    """A schema snippet without a datasource gets the seed's (a schema needs one)."""
    if "datasource " in schema:
        return schema
    seed = (BASE / "prisma" / "schema.prisma").read_text()
    head = seed[: seed.index("model ")] if "model " in seed else seed
    return head + "\n" + schema + "\n"


def example_tree(rule: Rule, which: str) -> dict[str, str] | None:
    """The tree of a rule's `bad` or `good` example: the seed application, the example's
    snippet at the file it names, and what the rule's record adds (`rule.examples`: files
    that win over the snippet, text appended to a file). None when there is nothing to
    write (the example is a shell session and the record adds no file)."""
    text = rule.text
    code, lang = (text.bad, text.bad_lang) if which == "bad" else (text.good, text.good_lang)
    path = snippet_path(code, lang)
    ex = rule.examples
    if ex is not None and ex.skip:
        return None
    if path is None and (ex is None or not (ex.files or ex.bad or ex.good)):
        return None
    tree = base_tree()
    extra: dict[str, str | None] = {}
    if ex is not None:
        extra = {**ex.files, **(ex.bad if which == "bad" else ex.good)}
    for gone in (rel for rel, t in extra.items() if t is None):
        tree = {rel: t for rel, t in tree.items() if rel != gone and not rel.startswith(gone + "/")}
    if path is not None:
        tree[path] = (_with_datasource(code) if path.endswith(".prisma") else code) + "\n"
    tree.update((rel, t) for rel, t in extra.items() if t is not None)
    if ex is not None:
        for rel, more in ex.append.items():
            tree[rel] = tree.get(rel, "") + more
    return tree


def run_rule(
    rule_id: str, tree: Mapping[str, str] | Path, *, settings: Settings | None = None
) -> list[Finding]:
    """The unsuppressed findings of one rule (only that rule runs) on a tree."""
    rule = BY_ID[rule_id]
    if isinstance(tree, Path):
        a = analyze(tree, settings, select=[rule.id])
        return [f for f in a.active if f.rule == rule.id]
    with tempfile.TemporaryDirectory(prefix=f"kd-{rule.id.lower()}-") as tmp:
        a = analyze(write_tree(Path(tmp), tree), settings, select=[rule.id])
        return [f for f in a.active if f.rule == rule.id]
