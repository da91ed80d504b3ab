"""The Data Safety Checklist of the seed report, computed: each item says whether it holds,
and why, with file:line evidence.

The mapping from items to rules is data (`ITEMS`): an item breaks when an unsuppressed
finding of one of its rules is there (high or critical: `fail`; medium or low: `warn`;
informational findings are listed, never decisive). When none is, the item's *prover* looks
at the project's facts for proof that it holds (`pass`, with the lines that prove it), that
the warning it names applies (`warn`, e.g. a named volume that `down -v` would delete), that
there is nothing to check (`not-applicable`, with the reason) or that the files cannot tell
(`unverifiable`, with the reason). An item is never `pass` without at least one piece of
evidence that names a file and line: a prover that finds none makes it `unverifiable`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from analysis.checklist_model import (
    Checklist,
    ChecklistItem,
    Evidence,
    Proof,
    Section,
    Status,
    fact,
    holds,
    not_applicable,
    unknown,
    warns,
)
from analysis.checklist_provers import (
    PROVERS,
    ProverInput,
    breaks,
    not_written,
    prisma_commands,
)
from analysis.model import Finding, Severity
from analysis.records import dataclass
from analysis.result import Facts
from analysis.rules.registry import BY_ID, RULES
from analysis.secrets import safe_text
from analysis.sources import SourceFile

__all__ = [
    "ITEMS",
    "PROVERS",
    "Checklist",
    "ChecklistItem",
    "Evidence",
    "ItemSpec",
    "Proof",
    "ProverInput",
    "Section",
    "Status",
    "breaks",
    "checklist_of",
    "evaluate",
    "fact",
    "finding_evidence",
    "holds",
    "not_applicable",
    "prisma_commands",
    "unknown",
    "warns",
]


# -- the items, as data ------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class ItemSpec:
    id: str
    section: Section
    text: str
    prover: str
    """The name of the function in PROVERS that looks for proof when no finding breaks it."""

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules whose findings break the item: each rule's registry record names the
        items it breaks."""
        return _rules_by_item()[self.id]


ITEMS: tuple[ItemSpec, ...] = (
    # Verified Safe Operations
    ItemSpec(
        "db-volume-persists",
        Section.VERIFIED_SAFE,
        "Database volume persists data",
        "database_persisted",
    ),
    ItemSpec(
        "migrations-preserve-data",
        Section.VERIFIED_SAFE,
        "Migrations preserve existing data",
        "migrations_preserve",
    ),
    ItemSpec(
        "no-accept-data-loss",
        Section.VERIFIED_SAFE,
        "No `--accept-data-loss` flag",
        "prisma_commands_without_accept_data_loss",
    ),
    ItemSpec(
        "schema-changes-fail-on-data-loss",
        Section.VERIFIED_SAFE,
        "Schema changes fail if data loss",
        "schema_commands_stop_on_data_loss",
    ),
    ItemSpec(
        "cascades-intentional",
        Section.VERIFIED_SAFE,
        "Cascade deletes are intentional",
        "cascades_bounded",
    ),
    ItemSpec(
        "required-fields-have-defaults",
        Section.VERIFIED_SAFE,
        "Required fields have defaults",
        "required_fields",
    ),
    ItemSpec(
        "unique-constraints-safe",
        Section.VERIFIED_SAFE,
        "Unique constraints are safe",
        "unique_constraints",
    ),
    ItemSpec(
        "error-handling",
        Section.VERIFIED_SAFE,
        "Error handling prevents inconsistent state",
        "errors_stop_startup",
    ),
    ItemSpec(
        "client-generation-safe",
        Section.VERIFIED_SAFE,
        "Prisma Client generation is safe",
        "client_generated",
    ),
    ItemSpec(
        "volume-mounts-no-conflict",
        Section.VERIFIED_SAFE,
        "Volume mounts don't conflict",
        "mounts_consistent",
    ),
    # Documented Warnings
    ItemSpec(
        "first-run-db-push",
        Section.DOCUMENTED_WARNINGS,
        "First run uses `db push` (development only)",
        "db_push_fallback",
    ),
    ItemSpec(
        "down-v-deletes-data",
        Section.DOCUMENTED_WARNINGS,
        "`docker compose down -v` deletes data",
        "named_volumes_removable",
    ),
    ItemSpec(
        "migration-conflicts-manual",
        Section.DOCUMENTED_WARNINGS,
        "Migration conflicts require manual resolution",
        "deploy_stops_on_conflict",
    ),
    ItemSpec(
        "schema-changes-need-migrations",
        Section.DOCUMENTED_WARNINGS,
        "Schema changes must create migrations",
        "schema_matches_migrations",
    ),
    # No Dangerous Operations
    ItemSpec(
        "no-automatic-data-loss",
        Section.NO_DANGEROUS,
        "No automatic data loss",
        "startup_not_destructive",
    ),
    ItemSpec(
        "no-accept-data-loss-anywhere",
        Section.NO_DANGEROUS,
        "No `--accept-data-loss` or `--force-reset` in any script",
        "no_data_loss_flags_anywhere",
    ),
    ItemSpec(
        "no-migrate-reset",
        Section.NO_DANGEROUS,
        "No `migrate reset` in scripts",
        "no_migrate_reset",
    ),
    ItemSpec(
        "no-destructive-without-warning",
        Section.NO_DANGEROUS,
        "No destructive operations without warnings",
        "destructive_operations_reviewed",
    ),
)
"""The checklist, in the seed's order (the rules that break each item name it)."""

_item_rules: dict[str, tuple[str, ...]] = {}


def _rules_by_item() -> dict[str, tuple[str, ...]]:
    if not _item_rules:
        found: dict[str, list[str]] = {spec.id: [] for spec in ITEMS}
        for r in RULES:
            for item in r.checklist:
                found[item].append(r.id)
        _item_rules.update((k, tuple(v)) for k, v in found.items())
    return _item_rules


# -- evaluation --------------------------------------------------------------------------------
def finding_evidence(f: Finding) -> Evidence:
    rule = BY_ID.get(f.rule)
    name = f" {rule.name}" if rule else ""
    return Evidence(safe_text(f"{f.rule}{name}: {f.message}"), f.location, f.rule, f.severity)


def _by_severity(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (-int(f.severity), f.sort_key)))


def _prove(spec: ItemSpec, inp: ProverInput, proofs: dict[object, Proof] | None = None) -> Proof:
    prover = PROVERS.get(spec.prover, not_written)
    if proofs is not None and (known := proofs.get(prover)) is not None:
        return known  # two items proved by one prover (one walk over 4,000 migrations, not two)
    try:
        proof = prover(inp)
    except Exception as exc:  # a prover's bug must not take the report down
        proof = unknown(f"the proof failed: {type(exc).__name__}: {exc}")
    if proofs is not None:
        proofs[prover] = proof
    return proof


def evaluate(
    spec: ItemSpec, inp: ProverInput, proofs: dict[object, Proof] | None = None
) -> ChecklistItem:
    """One item's status: the findings of its rules (high or critical: fail; medium or low:
    warn), else its prover's; a prover that sees the item broken in the facts fails it even
    where the findings only warn."""
    rules = set(spec.rules)
    mine = _by_severity(f for f in inp.active if f.rule in rules)
    decisive = [f for f in mine if f.severity > Severity.INFO]
    proof = _prove(spec, inp, proofs)
    if decisive:
        worst = decisive[0]
        status = Status.FAIL if worst.severity >= Severity.HIGH else Status.WARN
        n = len(decisive)
        reason = (
            f"{n} finding{'s' if n != 1 else ''} of its rules; the worst is "
            f"{worst.rule} ({worst.severity.label}) at {worst.location.path}:{worst.location.line}"
        )
        evidence = tuple(finding_evidence(f) for f in mine)
        if proof.outcome is Status.FAIL:
            if status is not Status.FAIL:
                status, reason = Status.FAIL, f"{proof.reason}; {reason}"
            evidence += proof.evidence
        return ChecklistItem(spec.id, spec.section, spec.text, status, spec.rules, evidence, reason)
    evidence = proof.evidence
    status = proof.outcome
    reason = proof.reason
    if status == Status.PASS and not any(e.location is not None for e in evidence):
        status = Status.UNVERIFIABLE
        reason = "no line of any file proves it" + (f" ({reason})" if reason else "")
    if status in (Status.PASS, Status.NOT_APPLICABLE):
        from analysis.grading.unknown import unparsed_for

        blind = unparsed_for(spec.rules, inp.active)
        if blind is not None:  # what could not be read cannot pass
            status = Status.UNVERIFIABLE
            where = f"{blind.location.path}:{blind.location.line}"
            reason = f"{where} could not be parsed ({blind.rule}), so this is unknown"
            evidence = (finding_evidence(blind), *evidence)
    shown = {(e.location.path, e.location.line) for e in evidence if e.location is not None}
    info = tuple(
        finding_evidence(f) for f in mine if (f.location.path, f.location.line) not in shown
    )
    return ChecklistItem(
        spec.id, spec.section, spec.text, status, spec.rules, evidence + info, reason
    )


def checklist_of(
    findings: Iterable[Finding], facts: Facts, sources: Mapping[str, SourceFile]
) -> Checklist:
    """The Data Safety Checklist of a run's findings and facts (see the module's docstring);
    `sources` are the files the run read."""
    active = tuple(f for f in findings if f.suppressed is None)
    inp = ProverInput(facts, active, sources)
    proofs: dict[object, Proof] = {}  # per prover, for this run only
    return Checklist(tuple(evaluate(spec, inp, proofs) for spec in ITEMS))
