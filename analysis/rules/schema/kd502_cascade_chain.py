"""KD502 cascade-chain: Deleting one record cascades 2+ levels deep or into valuable data"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.relations import Deletion, Path
from analysis.model import Finding, Severity
from analysis.parsers.prisma_schema.records import Model
from analysis.rules.registry import rule
from analysis.rules.schema.common import (
    CONTENT_WORDS,
    _branch,
    _chain_finding,
    _chain_message,
    _other_deep_branches,
    _owned,
    _pairs,
    money_reason,
    owner_root,
    valuable_reason,
    valuable_word,
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

        Not every valuable-looking model is a record the company must keep. Business
        records (payments, invoices, orders, transactions, audit logs, ledgers, billing,
        contracts) stay medium whatever deletes them. A user's own content (messages,
        files, attachments, documents, subscriptions) deleted with its owner (a User,
        Account, Organization, Workspace or Team, through required relations only) is the
        erasure a GDPR request asks for: reported low, saying so. The same content deleted
        from another root (deleting a Channel or a Product deletes Messages or Files) stays
        medium.
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
        (a `Decimal`, or a number beside a currency field: price lists, counters), and one
        whose only valuable models are content (message, file, attachment, upload,
        document, subscription; no money or payment field) of an owner root (last word
        user, account, organization, org, workspace, team, tenant) reached only through
        required relations. Medium: a chain into a model that is valuable by name.
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


def owned_content(d: Deletion, target: Model, extra: Iterable[str]) -> bool:
    """`target` is its owner's own content: valuable only by a content word (message, file,
    attachment, document, subscription), with no money or payment field, deleted from an
    owner (User, Account, Organization, Workspace, Team) through required relations only."""
    word = valuable_word(target, extra)
    if word not in CONTENT_WORDS or money_reason(target) is not None:
        return False
    if target.name.lower() in {e.lower() for e in extra} or not owner_root(d.model):
        return False
    return all(_owned(p) for p in d.cascades if p.end == target.name)


def _content_note(d: Deletion, content: list[str]) -> str:
    return (
        f"; {', '.join(content)} {'is' if len(content) == 1 else 'are'} the {d.model}'s own "
        f"content, reached only through required ownership relations: deleting the "
        f"{d.model} erases it by design (the erasure a GDPR request asks for), so it is "
        "reported low; check that nothing here must outlive its owner"
    )


@RULE.check
def cascade_chain(ctx: Context) -> Iterator[Finding]:
    extra = ctx.settings.valuable_models
    for schema, graph in _pairs(ctx):
        models = {m.name: m for m in (*schema.models, *schema.views)}
        reasons = {name: valuable_reason(m, extra) for name, m in models.items()}
        for d in graph.deletions:
            if not d.cascades:
                continue
            loud: list[tuple[str, str, Path]] = []
            quiet: list[tuple[str, str, Path]] = []
            content: list[str] = []
            for target in d.deleted_models:
                why = reasons.get(target)
                if why is None or target == d.model:
                    continue
                path = min((p for p in d.cascades if p.end == target), key=lambda p: p.depth)
                if not by_name(why):
                    quiet.append((target, why, path))
                elif owned_content(d, models[target], extra):
                    quiet.append((target, why, path))
                    content.append(target)
                else:
                    loud.append((target, why, path))
            valuable = loud + quiet
            if not valuable and d.depth < 2:
                continue
            msg, path = _chain_message(d, valuable)
            loc = path.steps[0].location
            if loc is not None:
                note = _content_note(d, content) if content and not loud else None
                yield _chain_finding(msg, path, graded=not loud, note=note)
            yield from _other_deep_branches(d, _branch(path))
