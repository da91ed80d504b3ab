"""KD502 cascade-chain: Deleting one record cascades 2+ levels deep or into valuable data"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.relations import Path
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.schema.common import (
    _branch,
    _chain_finding,
    _chain_message,
    _other_deep_branches,
    _pairs,
    valuable_reason,
)

RULE = rule(
    "KD502",
    "cascade-chain",
    Severity.MEDIUM,
    area="schema",
    section="schema",
    checklist=("cascades-intentional",),
    summary="deleting one record cascades through 2+ levels, or into a model whose data looks valuable (payments, invoices, orders, audit logs, transactions, messages, files)",
    short="Deleting one record cascades 2+ levels deep or into valuable data",
    rationale="""
        Cascades compose. `User -> Order -> Invoice -> Payment` with Cascade at every step
        means one `prisma.user.delete()` (a GDPR request, an admin clicking "remove test
        account") erases the company's financial records. Nobody decides that explicitly: each
        relation looked harmless when it was written.
    """,
    trigger="""
        A model whose deletion cascades through two or more levels of relations, or into a
        model whose data looks valuable by name (payments, invoices, orders, audit logs,
        transactions, ledger entries, messages, files, plus `valuable-models` from
        keepdata.toml). Reported at the root's relation with the whole chain. A chain with
        nothing valuable on it whose every relation is required (each row belongs to the one
        before it: the ownership a cascade is for, `Project -> Board -> Card`) is reported
        low; so is one that passes an optional relation (named, with SetNull as the way to let
        the row outlive its parent), and one whose only valuable sign is a money-looking field
        (a `Decimal`, or a number beside a currency field: price lists, counters). Medium: a
        chain into a model that is valuable by name.
    """,
    bad="""
        model Order {
          id     String @id
          userId String
          user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)
          invoices Invoice[]
        }

        model Invoice {
          id      String @id
          orderId String
          order   Order  @relation(fields: [orderId], references: [id], onDelete: Cascade)
        }
    """,
    bad_lang="prisma",
    good="""
        model Order {
          id     String @id
          userId String
          user   User   @relation(fields: [userId], references: [id], onDelete: Restrict)
          invoices Invoice[]
        }

        model Invoice {
          id      String @id
          orderId String
          order   Order  @relation(fields: [orderId], references: [id], onDelete: Restrict)
        }
    """,
    good_lang="prisma",
    fix="""
        Stop the chain before valuable data: `onDelete: Restrict` (deletes fail until the
        records are handled) or soft deletes (`deletedAt DateTime?`) for users and orders;
        anonymise instead of deleting where law requires erasure.
    """,
    module=__name__,
)


def by_name(reason: str) -> bool:
    """The model's name (or keepdata.toml's valuable-models) says it is valuable; a money-
    looking field alone is a weaker sign (a price list, a counter)."""
    return "looks valuable" in reason or "valuable_models" in reason


@RULE.check
def cascade_chain(ctx: Context) -> Iterator[Finding]:
    extra = ctx.settings.valuable_models
    for schema, graph in _pairs(ctx):
        reasons = {m.name: valuable_reason(m, extra) for m in (*schema.models, *schema.views)}
        for d in graph.deletions:
            if not d.cascades:
                continue
            valuable: list[tuple[str, str, Path]] = []
            for target in d.deleted_models:
                why = reasons.get(target)
                if why is None or target == d.model:
                    continue
                path = min((p for p in d.cascades if p.end == target), key=lambda p: p.depth)
                valuable.append((target, why, path))
            if not valuable and d.depth < 2:
                continue
            msg, path = _chain_message(d, valuable)
            loc = path.steps[0].location
            if loc is not None:
                named = any(by_name(why) for _, why, _ in valuable)
                yield _chain_finding(msg, path, graded=not named)
            yield from _other_deep_branches(d, _branch(path))
