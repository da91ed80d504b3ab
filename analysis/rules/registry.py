"""The rule registry: every rule, each defined once in its own module.

A rule is one module, `analysis/rules/<area>/kd602_drop_column.py`, that holds its metadata
(id, name, default severity, area, report section, checklist items), its documentation (one
line, rationale, trigger, bad and good example, fix) and its check:

    RULE = rule("KD602", "drop-column", Severity.HIGH, area="migrations", ...)

    @RULE.check
    def check(ctx: Context) -> Iterable[Finding]: ...

`keepdata rules` and `explain`, the report's sections, the checklist, SARIF's rule table,
the inspector's panes and the generated `docs/rules/` pages all read `RULES`/`BY_ID`; nothing
else lists rule ids.

`RULES`/`BY_ID` are built from `analysis.rules.manifest`, which `python -m
analysis.rules.manifest_gen` generates from the rule modules (a test fails when it is stale):
every rule's metadata without importing its module. A rule's module is imported on first read
of its check (`Rule.run`), documentation (`Rule.text`) or example tree (`Rule.examples`), so a
run imports the checks of the areas the project has files for (`reads_any`) and no other.
Modules the rules depend on may import this one freely.

Records are instances of one shared slotted class: defining 92 of them costs next to
nothing at import, and the documentation is dedented/joined only when it is read.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING, overload

from analysis.model import Finding, Severity
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.context import Context

Check = Callable[["Context"], Iterable[Finding]]

LANGS = (
    "yaml",
    "dockerfile",
    "sh",
    "json",
    "prisma",
    "sql",
    "toml",
    "makefile",
    "dotenv",
    "gitignore",
    "typescript",
    "text",
)
"""Example languages: Markdown fence tags."""

PYGMENTS_LEXERS: Mapping[str, str] = MappingProxyType(
    {
        "yaml": "yaml",
        "dockerfile": "docker",
        "sh": "bash",
        "json": "json",
        "prisma": "text",
        "sql": "postgresql",
        "toml": "toml",
        "makefile": "make",
        "dotenv": "bash",
        "gitignore": "text",
        "typescript": "typescript",
        "text": "text",
    }
)
"""The Pygments lexer of each example language, for terminals that highlight."""


DEPLOY_KINDS = frozenset(
    {
        "compose",
        "dockerfile",
        "dockerignore",
        "package.json",
        "shell",
        "makefile",
        "env",
        "gitignore",
        "platform",
        "program",
    }
)
"""The files of containers, scripts and deploy platforms (`analysis.sources.FileKind` values)."""
SCHEMA_KINDS = frozenset({"prisma", "prisma-config", "package.json"})
"""The Prisma schema, its config, and package.json (whose `prisma.schema` may name it)."""
MIGRATION_KINDS = frozenset({"migration-sql", "migration-lock"})
"""A migrations history."""
AREA_READS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "analysis": DEPLOY_KINDS,  # KD001's check: the limits the startup walk met
        "persistence": DEPLOY_KINDS,
        "startup": DEPLOY_KINDS,
        "image": DEPLOY_KINDS,
        "environment": DEPLOY_KINDS,
        "schema": SCHEMA_KINDS,
        "migrations": MIGRATION_KINDS,
        "drift": SCHEMA_KINDS | MIGRATION_KINDS,
    }
)
"""The kinds of file (`analysis.sources.FileKind` values) each area's rules and the facts they
read start from: a project with none of them gets no finding of that area, so the engine
does not import its checks. A superset errs on the safe side (the area runs and finds
nothing); a kind missing here would drop findings (tests compare runs with and without)."""


def reads_any(area: str, kinds: Iterable[str]) -> bool:
    """True when the project's files (`kinds`) include one that `area` reads."""
    reads = AREA_READS[area]
    return any(k in reads for k in kinds)


@dataclass(slots=True, frozen=True)
class RuleText:
    """A rule's documentation: `short` (one line, at most 80 characters), `rationale` (why
    it loses data), `trigger` (exactly what fires it), a `bad` and a `good` example (real
    file snippets, each tagged with its language) and the `fix`."""

    short: str
    rationale: str
    trigger: str
    bad: str
    bad_lang: str
    good: str
    good_lang: str
    fix: str


def _code(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _p(text: str) -> str:
    """One paragraph written over several source lines."""
    return " ".join(text.split())


class Rule:
    """One rule: metadata, documentation (as written in its module, formatted on first read)
    and check. `section` is the id of the report section its findings decide (None: the
    overall verdict only); `checklist` the ids of the checklist items its findings break;
    `tags` what else reads it (`data-state`: the Volumes pane shows it on a data row);
    `examples` an explicit file tree for the bad and good example when one snippet is not
    enough for the rule to fire. A rule built from the manifest imports its module on first
    read of `text`, `examples` or `run`."""

    __slots__ = (
        "_check",
        "_doc",
        "_examples",
        "_has_check",
        "_text",
        "area",
        "checklist",
        "id",
        "module",
        "name",
        "section",
        "severity",
        "summary",
        "tags",
    )

    def __init__(
        self,
        id: str,
        name: str,
        severity: Severity,
        area: str,
        summary: str,
        section: str | None,
        checklist: tuple[str, ...],
        tags: tuple[str, ...],
        doc: tuple[str, ...] | None,
        examples: Examples | None,
        module: str,
        has_check: bool = True,
    ) -> None:
        self.id = id
        self.name = name
        self.severity = severity
        self.area = area
        self.summary = summary
        self.section = section
        self.checklist = checklist
        self.tags = tags
        self._doc = doc
        self._text: RuleText | None = None
        self._check: Check | None = None
        self._has_check = has_check
        self._examples = examples
        self.module = module

    def __repr__(self) -> str:
        return f"Rule({self.id!r}, {self.name!r}, {self.severity.label})"

    def _loaded(self) -> tuple[str, ...]:
        """The documentation, importing the rule's module first when it was not yet."""
        if self._doc is None:
            # `__import__`, not importlib: `python -X importtime` reports it (benchmarks)
            __import__(self.module)  # its `rule(...)` call fills this record
            if self._doc is None:
                raise RuntimeError(f"{self.module} does not define {self.id}")
        return self._doc

    @property
    def text(self) -> RuleText:
        """The rule's documentation, formatted."""
        if self._text is None:
            short, rationale, trigger, bad, bad_lang, good, good_lang, fix = self._loaded()
            self._text = RuleText(
                _p(short),
                _p(rationale),
                _p(trigger),
                _code(bad),
                bad_lang,
                _code(good),
                good_lang,
                _p(fix),
            )
        return self._text

    @property
    def examples(self) -> Examples | None:
        self._loaded()
        return self._examples

    @property
    def reads(self) -> frozenset[str]:
        """The kinds of file the rule's area reads: it runs when the project has one."""
        return AREA_READS[self.area]

    def check(self, fn: Check) -> Check:
        """Decorator: `fn(ctx)` is this rule's check (it yields this rule's findings only)."""
        if self._check is not None:
            raise ValueError(f"{self.id} has two checks")
        self._check = fn
        return fn

    @property
    def run(self) -> Check | None:
        """The rule's check (importing its module on first read); None for the rules the
        pipeline itself reports (KD001-KD004, parse problems)."""
        if not self._has_check:
            return None
        self._loaded()
        return self._check


@dataclass(slots=True, frozen=True)
class Examples:
    """What a rule's bad and good example need around their snippet to fire or stay quiet
    (the snippet alone is written over the seed application at the file it names): `files`
    for both trees, `bad`/`good` for one (both win over the snippet), and text to `append`
    to a file of both trees (e.g. the models a schema snippet refers to). A path mapped to
    None removes the seed's file or folder there (e.g. its migration history) before the
    other files are written."""

    files: Mapping[str, str | None] = field(default_factory=dict)
    bad: Mapping[str, str | None] = field(default_factory=dict)
    good: Mapping[str, str | None] = field(default_factory=dict)
    append: Mapping[str, str] = field(default_factory=dict)
    skip: str = ""
    """Why the examples cannot be run as file trees (the rule is about something files do
    not show); empty for every rule whose examples are tested."""


_DEFINED: dict[str, Rule] = {}
GENERATING = False
"""True while `analysis.rules.manifest_gen` imports every rule module to write the manifest:
`rule(...)` then records what the module says without checking it against the manifest."""


def rule(
    id: str,
    name: str,
    severity: Severity,
    *,
    area: str,
    summary: str,
    section: str | None,
    checklist: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    short: str,
    rationale: str,
    trigger: str,
    bad: str,
    bad_lang: str,
    good: str,
    good_lang: str,
    fix: str,
    examples: Examples | None = None,
    module: str = "",
) -> Rule:
    """Define a rule (called once, at the top of the rule's module): fills the record the
    manifest made for it with its documentation, and returns that record (its `check`
    decorator then registers the check). Raises when the module says something else than
    the manifest (run `python -m analysis.rules.manifest_gen`)."""
    if id in _DEFINED:
        raise ValueError(f"rule {id} is defined twice ({_DEFINED[id].module}, {module})")
    doc = (short, rationale, trigger, bad, bad_lang, good, good_lang, fix)
    meta = (id, name, severity, area, summary, section, checklist, tags, module)
    if GENERATING:
        r = Rule(*meta[:8], doc, examples, module)
        _DEFINED[id] = r
        return r
    r = _manifest()[1].get(id)  # type: ignore[assignment]
    if r is None or _meta(r) != meta:
        raise ValueError(
            f"rule {id} ({module}) is not as analysis/rules/manifest.py lists it: "
            "run `python -m analysis.rules.manifest_gen`"
        )
    r._doc, r._examples = doc, examples
    _DEFINED[id] = r
    return r


def _meta(r: Rule) -> tuple[object, ...]:
    return (r.id, r.name, r.severity, r.area, r.summary, r.section, r.checklist, r.tags, r.module)


# -- the registry, built from the manifest on first use --------------------------------------
_rules: tuple[tuple[Rule, ...], dict[str, Rule]] | None = None


def _manifest() -> tuple[tuple[Rule, ...], dict[str, Rule]]:
    global _rules
    if _rules is None:
        from analysis.rules.manifest import MANIFEST

        ordered = tuple(
            Rule(i, n, sev, area, summ, sect, items, tags, None, None, mod, has_check)
            for i, n, sev, area, summ, sect, items, tags, mod, has_check in MANIFEST
        )
        _rules = ordered, {r.id: r for r in ordered}
    return _rules


def _load() -> tuple[Rule, ...]:
    return _manifest()[0]


class _Rules(Sequence[Rule]):
    """Every rule, in id order (read from the manifest on first use)."""

    __slots__ = ()

    @overload
    def __getitem__(self, i: int) -> Rule: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Rule]: ...
    def __getitem__(self, i: int | slice) -> Rule | Sequence[Rule]:
        return _load()[i]

    def __len__(self) -> int:
        return len(_load())

    def __iter__(self) -> Iterator[Rule]:
        return iter(_load())


class _ById(Mapping[str, Rule]):
    """Every rule by id (read from the manifest on first use)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Rule:
        return _manifest()[1][key]

    def __len__(self) -> int:
        return len(_load())

    def __iter__(self) -> Iterator[str]:
        return iter(r.id for r in _load())

    def __contains__(self, key: object) -> bool:
        return key in _manifest()[1]

    def get(self, key: str, default: Rule | None = None) -> Rule | None:  # type: ignore[override]
        return _manifest()[1].get(key, default)


RULES: Sequence[Rule] = _Rules()
BY_ID: Mapping[str, Rule] = _ById()


def all_rules() -> tuple[Rule, ...]:
    """Every rule, in id order, as a tuple."""
    return _load()


def run_area(ctx: Context, area: str) -> list[Finding]:
    """The findings of every rule of one area on `ctx`, without the pipeline's error boundary
    or suppression (for benchmarks and tests)."""
    out: list[Finding] = []
    for r in _load():
        if r.area == area and r.run is not None:
            out.extend(r.run(ctx))
    return out


def anchor(rule_id: str, name: str) -> str:
    """The Markdown heading anchor of a rule's section (`kd602-drop-column`)."""
    return f"{rule_id.lower()}-{name}"
