"""The rule registry: every rule, each defined once in its own module.

A rule is one module, `analysis/rules/<area>/kd602_drop_column.py`, that holds its metadata
(id, name, default severity, area, report section, checklist items), its documentation (one
line, rationale, trigger, bad and good example, fix) and its check:

    RULE = rule("KD602", "drop-column", Severity.HIGH, area="migrations", ...)

    @RULE.check
    def check(ctx: Context) -> Iterable[Finding]: ...

`keepdata rules` and `explain`, the report's sections, the checklist, SARIF's rule table,
the inspector's panes and the generated `docs/rules/` pages all read `RULES`/`BY_ID`; nothing
else lists rule ids. The rule modules are imported on first use of `RULES` or `BY_ID` (by
`analysis.rules.index`), so modules the rules depend on may import this one freely.

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
    enough for the rule to fire."""

    __slots__ = (
        "_check",
        "_doc",
        "_text",
        "area",
        "checklist",
        "examples",
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
        doc: tuple[str, ...],
        examples: Examples | None,
        module: str,
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
        self.examples = examples
        self.module = module

    def __repr__(self) -> str:
        return f"Rule({self.id!r}, {self.name!r}, {self.severity.label})"

    @property
    def text(self) -> RuleText:
        """The rule's documentation, formatted."""
        if self._text is None:
            short, rationale, trigger, bad, bad_lang, good, good_lang, fix = self._doc
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

    def check(self, fn: Check) -> Check:
        """Decorator: `fn(ctx)` is this rule's check (it yields this rule's findings only)."""
        if self._check is not None:
            raise ValueError(f"{self.id} has two checks")
        self._check = fn
        return fn

    @property
    def run(self) -> Check | None:
        """The rule's check; None for the rules the pipeline itself reports (KD001-KD004,
        parse problems)."""
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
    """Define and register a rule (called once, at the top of the rule's module)."""
    if id in _DEFINED:
        raise ValueError(f"rule {id} is defined twice ({_DEFINED[id].module}, {module})")
    r = Rule(
        id,
        name,
        severity,
        area,
        summary,
        section,
        checklist,
        tags,
        (short, rationale, trigger, bad, bad_lang, good, good_lang, fix),
        examples,
        module,
    )
    _DEFINED[id] = r
    return r


# -- the registry, loaded on first use -------------------------------------------------------
_loaded: tuple[Rule, ...] | None = None
_by_id: dict[str, Rule] = {}


def _load() -> tuple[Rule, ...]:
    global _loaded
    if _loaded is None:
        # Importing every rule module registers every rule.
        from analysis.rules import index  # noqa: F401

        ordered = tuple(sorted(_DEFINED.values(), key=lambda r: r.id))
        _by_id.update((r.id, r) for r in ordered)
        _loaded = ordered
    return _loaded


class _Rules(Sequence[Rule]):
    """Every rule, in id order (loads the registry on first use)."""

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
    """Every rule by id (loads the registry on first use)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Rule:
        if _loaded is None:
            _load()
        return _by_id[key]

    def __len__(self) -> int:
        return len(_load())

    def __iter__(self) -> Iterator[str]:
        return iter(r.id for r in _load())

    def __contains__(self, key: object) -> bool:
        if _loaded is None:
            _load()
        return key in _by_id

    def get(self, key: str, default: Rule | None = None) -> Rule | None:  # type: ignore[override]
        if _loaded is None:
            _load()
        return _by_id.get(key, default)


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
