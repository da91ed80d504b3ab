"""KD6xx on realistic Prisma migration histories (PostgreSQL, MySQL, SQLite): exactly the
expected findings, line by line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.model import Severity
from tests.conftest import REPO, with_folded

FIXTURES = REPO / "tests" / "fixtures" / "migrations"


def kd6(root: Path) -> list[tuple[str, str, str, int]]:
    a = analyze(root)
    mine = [e for e in a.errors if e.area in ("migrations", "drift")]
    assert not mine, mine
    out = []
    # the rules' own findings: grading folds repeats into one finding, counted here too
    for f in with_folded(a.findings):
        if f.rule.startswith("KD6"):
            folder = f.location.path.split("/")[-2] if f.location.path.endswith(".sql") else ""
            out.append((f.rule, f.severity.label, folder or f.location.path, f.location.line))
    return sorted(out)


PG_EXPECTED = [
    ("KD610", "high", "20240201000000_remove_guest", 4),
    ("KD607", "high", "20240201000000_remove_guest", 9),
    ("KD610", "high", "20240301000000_post_slug", 4),
    ("KD610", "high", "20240301000000_post_slug", 5),
    ("KD610", "high", "20240301000000_post_slug", 6),
    ("KD610", "high", "20240301000000_post_slug", 7),
    ("KD604", "high", "20240301000000_post_slug", 11),
    ("KD605", "medium", "20240301000000_post_slug", 12),
    ("KD602", "high", "20240301000000_post_slug", 15),
    ("KD606", "medium", "20240301000000_post_slug", 18),
    ("KD610", "high", "20240315000000_views_bigint", 4),
    ("KD603", "high", "20240315000000_views_bigint", 8),
    ("KD609", "medium", "20240401000000_rename_body", 2),
    ("KD610", "high", "20240415000000_tag_pk", 4),
    ("KD616", "high", "20240415000000_tag_pk", 8),
    ("KD618", "low", "20240501000000_relations", 5),
    ("KD617", "medium", "20240501000000_relations", 17),
    ("KD619", "high", "20240601000000_cleanup", 2),
    ("KD613", "medium", "20240601000000_cleanup", 3),
    ("KD614", "medium", "20240601000000_cleanup", 4),
    ("KD608", "critical", "20240601000000_cleanup", 5),
    ("KD611", "medium", "20240701000000_nothing", 1),
    ("KD611", "medium", "prisma/migrations/20240702000000_lost", 1),
    ("KD612", "medium", "20240801000000_broken", 4),
    ("KD610", "high", "20240901000000_drop_profile", 4),
    ("KD610", "high", "20240901000000_drop_profile", 5),
    ("KD601", "high", "20240901000000_drop_profile", 9),
    ("KD602", "high", "20240901000000_drop_profile", 12),
    ("KD622", "high", "20240901000000_drop_profile", 12),
    ("KD615", "high", "20240901000000_drop_profile", 19),
]

MYSQL_EXPECTED = [
    ("KD610", "high", "20240201120000_status_and_code", 4),
    ("KD610", "high", "20240201120000_status_and_code", 5),
    ("KD610", "high", "20240201120000_status_and_code", 6),
    ("KD610", "high", "20240201120000_status_and_code", 7),
    ("KD610", "high", "20240201120000_status_and_code", 8),
    ("KD605", "medium", "20240201120000_status_and_code", 12),
    ("KD607", "high", "20240201120000_status_and_code", 13),
    ("KD604", "high", "20240201120000_status_and_code", 16),
    ("KD603", "high", "20240201120000_status_and_code", 17),
    ("KD606", "medium", "20240201120000_status_and_code", 20),
    ("KD610", "high", "20240401100000_cleanup", 4),
    ("KD610", "high", "20240401100000_cleanup", 5),
    ("KD602", "high", "20240401100000_cleanup", 15),
    ("KD622", "high", "20240401100000_cleanup", 15),
    ("KD601", "high", "20240401100000_cleanup", 19),
    ("KD609", "medium", "20240415000000_hand_rename", 2),  # and line 3: one per migration
]

SQLITE_EXPECTED = [
    ("KD610", "high", "20240210090000_note_changes", 4),
    ("KD610", "high", "20240210090000_note_changes", 5),
    ("KD610", "high", "20240210090000_note_changes", 6),
    ("KD604", "high", "20240210090000_note_changes", 12),
    ("KD602", "high", "20240210090000_note_changes", 21),
    ("KD605", "medium", "20240210090000_note_changes", 21),
    ("KD622", "high", "20240210090000_note_changes", 21),
    ("KD621", "info", "20240210090000_note_changes", 22),
    ("KD606", "medium", "20240210090000_note_changes", 24),
    ("KD621", "info", "20240301120000_user_defaults", 9),
    ("KD610", "high", "20240320000000_attachment_rename", 4),
    ("KD610", "high", "20240320000000_attachment_rename", 5),
    ("KD604", "high", "20240320000000_attachment_rename", 11),
    ("KD602", "high", "20240320000000_attachment_rename", 17),
    ("KD622", "high", "20240320000000_attachment_rename", 17),
]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("pg_blog", PG_EXPECTED), ("mysql_shop", MYSQL_EXPECTED), ("sqlite_notes", SQLITE_EXPECTED)],
)
def test_fixture_findings_exactly(fixture: str, expected: list[tuple[str, str, str, int]]) -> None:
    assert kd6(FIXTURES / fixture) == sorted(expected)


def test_sqlite_redefine_is_not_a_drop_table() -> None:
    found = kd6(FIXTURES / "sqlite_notes")
    assert not [f for f in found if f[0] in ("KD601", "KD609", "KD618")]


def test_sqlite_redefine_on_d1_is_high(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "sqlite_notes", root)
    (root / "wrangler.toml").write_text(
        'name = "notes"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "notes"\n'
    )
    a = analyze(root)
    kd621 = [f for f in a.findings if f.rule == "KD621"]
    assert sorted((f.location.path, f.location.line) for f in kd621) == [
        ("prisma/migrations/20240210090000_note_changes/migration.sql", 22),
        ("prisma/migrations/20240301120000_user_defaults/migration.sql", 9),
    ]
    assert all(f.severity is Severity.HIGH for f in kd621)
    assert any(r.location.path == "wrangler.toml" for f in kd621 for r in f.related)


def test_enum_recreation_is_one_kd607_only() -> None:
    found = [f for f in kd6(FIXTURES / "pg_blog") if f[2] == "20240201000000_remove_guest"]
    assert sorted(r for r, *_ in found) == ["KD607", "KD610"]


def test_messages_name_the_things() -> None:
    a = analyze(FIXTURES / "pg_blog")
    msgs = {f.rule: f.message for f in a.findings if f.rule.startswith("KD6")}
    assert '"Post"."views"' in msgs["KD603"] and "INTEGER" in msgs["KD603"]
    assert "GUEST" in msgs["KD607"]
    assert '"_PostToTag"' in msgs["KD608"]
    assert '"displayName"' in msgs["KD622"]
