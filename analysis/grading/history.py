"""Applied history: which migrations already exist at the base revision.

The base is `--base REF`, else the merge-base of `HEAD` with the default branch
(`origin/HEAD`, `main`, `master`, `trunk`), else `HEAD`. A migration whose `migration.sql`
is at the base with the same content is history: findings about what it did to existing data
become `info` with `history=True`. One that is at the base with other content is KD624 and
graded as new; one that is not at the base (untracked, only on this branch) is new.
Without git, with `--all-migrations`, or when the base cannot be resolved (a shallow clone
without the default branch), every migration is new and `note` says why.

Git is read through `analysis.gitread` only: a handful of plumbing calls per run
(`rev-parse`, `for-each-ref`, `merge-base`, one `ls-tree` for every migrations folder, and
`cat-file --batch` for edited migrations only); work-tree files are hashed by keepdata.
"""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from collections.abc import Iterable
from dataclasses import field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.model import Finding, Location, Severity
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.context import Context

HISTORY_RULES = frozenset(
    [f"KD6{n:02d}" for n in range(1, 11)] + [f"KD6{n:02d}" for n in range(13, 19)] + ["KD622"]
)
"""Findings about what a migration did to existing data: `info` once it is applied."""

EDITED_RULE = "KD624"
ALL_MIGRATIONS_ENV = "KEEPDATA_ALL_MIGRATIONS"
"""Set to 1: the same as `--all-migrations` (the test suite sets it, so that the git state of
the checkout, shallow in CI or edited in a work tree, never changes what the examples report)."""
SHALLOW_FIX = "fetch the history (actions/checkout `fetch-depth: 0`, or `git fetch --unshallow`)"


@dataclass(slots=True, frozen=True)
class HistoryBase:
    """How this run told applied migrations from new ones.

    `commit` is the base commit (None: every migration is new, `note` says why), `label` how
    it was chosen, `history`/`new`/`edited` the migration.sql paths (root-relative) of each
    kind."""

    commit: str | None
    label: str
    note: str | None
    history: frozenset[str] = frozenset()
    new: frozenset[str] = frozenset()
    edited: tuple[tuple[str, int], ...] = ()
    folders: tuple[str, ...] = field(default=())

    @property
    def short(self) -> str:
        return self.commit[:7] if self.commit else ""

    @property
    def summary(self) -> str:
        """The clause `check` adds to its summary line."""
        if self.commit is None:
            return self.note or "every migration graded as new"
        n, m = len(self.history), len(self.new)
        return (
            f"{n} applied {'migration' if n == 1 else 'migrations'} at {self.label} "
            f"({self.short}) graded as history, {m} new"
        )


def resolve_base(root: Path, ref: str | None) -> tuple[Path | None, str | None, str, str | None]:
    """(git top, base commit, label, note). A None commit grades every migration as new."""
    from analysis.gitread import (
        default_branch,
        git_dir_of,
        is_shallow,
        merge_base,
        resolve_commit,
    )

    found = git_dir_of(root)
    if found is None:
        return None, None, "", "not a git repository: every migration graded as new"
    top, git_dir = found
    shallow = is_shallow(git_dir)
    head = resolve_commit(top, "HEAD")
    if head is None:
        return top, None, "", "no commit yet: every migration graded as new"
    if ref:
        commit = resolve_commit(top, ref)
        if commit is None:
            why = f"--base {ref} names no commit"
            if shallow:
                why += f" in this shallow clone; {SHALLOW_FIX}"
            return top, None, ref, f"{why}: every migration graded as new"
        return top, commit, ref, None
    branch = default_branch(top)
    if branch is None:
        if shallow:
            return (
                top,
                None,
                "",
                "shallow clone without the default branch: every migration graded as new; "
                + SHALLOW_FIX,
            )
        return top, head, "HEAD", None
    name, tip = branch
    base = merge_base(top, head, tip)
    if base is None:
        if shallow:
            return (
                top,
                None,
                name,
                f"shallow clone: the merge-base of HEAD and {name} is not in it, every "
                f"migration graded as new; {SHALLOW_FIX}",
            )
        return top, None, name, f"HEAD and {name} share no history: every migration graded as new"
    return top, base, f"merge-base of HEAD and {name}" if base != head else name, None


def _first_changed_line(old: bytes, new: bytes) -> int:
    a = old.replace(b"\r\n", b"\n").split(b"\n")
    b = new.replace(b"\r\n", b"\n").split(b"\n")
    for i, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return i
    return min(len(a), len(b)) + 1 if len(a) != len(b) else 1


def history_base(ctx: Context) -> HistoryBase | None:
    """Decide which migrations are applied history (None: the project has no migrations)."""
    from analysis.facts.named import NAMED_FACTS  # no migrations: no SQL parser imported

    try:
        histories = ctx.fact(NAMED_FACTS["migrations"])
    except Exception:  # the fact's failure is already an internal error of the checks
        return None
    sql_paths = [m.path for h in histories for m in h.migrations if m.has_sql]
    if not sql_paths:
        return None
    folders = tuple(h.folder for h in histories)
    forced = ctx.settings.all_migrations
    if forced or os.environ.get(ALL_MIGRATIONS_ENV) == "1":
        why = "--all-migrations" if forced else f"{ALL_MIGRATIONS_ENV}=1"
        return HistoryBase(
            None,
            "",
            f"every migration graded as new ({why})",
            new=frozenset(sql_paths),
            folders=folders,
        )
    root: Path = ctx.root
    top, commit, label, note = resolve_base(root, ctx.settings.base_ref)
    if commit is None or top is None:
        return HistoryBase(None, label, note, new=frozenset(sql_paths), folders=folders)
    try:
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        prefix = ""
    prefix = "" if prefix in ("", ".") else prefix + "/"
    from analysis.gitread import ls_tree, matches_work_tree, read_blobs

    tree = ls_tree(top, commit, [prefix + f for f in folders])
    if tree is None:
        return HistoryBase(
            None,
            label,
            f"git could not list the migrations at {label}: every migration graded as new",
            new=frozenset(sql_paths),
            folders=folders,
        )
    history: set[str] = set()
    new: set[str] = set()
    edited: list[str] = []
    for path in sql_paths:
        entry = tree.get(prefix + path)
        if entry is None:
            new.add(path)
        elif matches_work_tree(root / path, *entry):
            history.add(path)
        else:
            new.add(path)
            edited.append(path)
    lines: list[tuple[str, int]] = []
    if edited:
        blobs = read_blobs(top, (f"{commit}:{prefix}{p}" for p in edited))
        for p in edited:
            old = blobs.get(f"{commit}:{prefix}{p}")
            try:
                now = (root / p).read_bytes()
            except OSError:
                now = b""
            lines.append((p, _first_changed_line(old, now) if old is not None else 1))
    return HistoryBase(
        commit, label, None, frozenset(history), frozenset(new), tuple(lines), folders
    )


def _edited_finding(base: HistoryBase, path: str, line: int) -> Finding:
    from analysis.catalog import BY_ID

    name = posixpath.basename(posixpath.dirname(path))
    return Finding(
        EDITED_RULE,
        BY_ID[EDITED_RULE].severity,
        f"migration {name} was applied at the base ({base.label}, {base.short}) and its "
        f"migration.sql has been edited since (first change at line {line}): Prisma keeps a "
        "checksum of every applied migration, so `migrate dev` asks to reset the database and "
        "`migrate deploy` warns while databases keep the old version; restore the file and "
        "put the change in a new migration",
        Location(path, line),
    )


def apply_history(
    ctx: Context, findings: list[Finding]
) -> tuple[list[Finding], HistoryBase | None]:
    base = history_base(ctx)
    if base is None:
        return findings, None
    out: list[Finding] = []
    for f in findings:
        if f.rule in HISTORY_RULES and f.location.path in base.history:
            f = replace(f, severity=Severity.INFO, history=True)
        out.append(f)
    out.extend(_edited_finding(base, p, n) for p, n in base.edited)
    return out, base


def migrations_folder_of(path: str) -> str:
    """The migrations folder of a `<folder>/<migration>/migration.sql` path."""
    return posixpath.dirname(posixpath.dirname(path)) or "."


def fold_lines(findings: Iterable[Finding], base: HistoryBase | None) -> list[str]:
    """One text line per migrations folder for the history findings that `check`'s text
    output leaves out."""
    by_folder: dict[str, list[Finding]] = {}
    for f in findings:
        if f.history:
            by_folder.setdefault(migrations_folder_of(f.location.path), []).append(f)
    where = f" at {base.label} ({base.short})" if base is not None and base.commit else ""
    lines = []
    for folder in sorted(by_folder):
        items = by_folder[folder]
        migrations = len({f.location.path for f in items})
        rules = Counter(f.rule for f in items)
        top = ", ".join(f"{r} x{n}" for r, n in sorted(rules.items(), key=lambda x: (-x[1], x[0])))
        noun = "finding" if len(items) == 1 else "findings"
        mig = "migration" if migrations == 1 else "migrations"
        lines.append(
            f"{folder}: info history: {len(items)} {noun} on {migrations} {mig} applied"
            f"{where} ({top}), graded info; --all-migrations grades them as new"
        )
    return lines
