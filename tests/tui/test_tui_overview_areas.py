"""The overview's area summary: whole names and levels in few lines at every width."""

from __future__ import annotations

from rich.cells import cell_len

from tui.panes.overview import area_summary

RISKY = [
    ("Database Persistence", "UNSAFE", 15),
    ("Migration Strategy", "UNSAFE", 52),
    ("Prisma Schema Review", "AT RISK", 25),
    ("Wait Script Safety", "SAFE WITH WARNINGS", 15),
    ("Dockerfile Prisma Setup", "AT RISK", 8),
    ("Volume Mounts", "SAFE WITH WARNINGS", 2),
    ("Environment Variables", "AT RISK", 15),
]


def lines(width: int) -> list[str]:
    return area_summary(RISKY, width).plain.split("\n")


def test_wide_summary_spells_out_every_level() -> None:
    text = "\n".join(lines(116))
    assert len(lines(116)) == 3
    assert "Wait Script Safety SAFE WITH WARNINGS (15)" in text
    assert "Dockerfile Prisma Setup AT RISK (8)" in text


def test_narrow_summary_keeps_every_title_and_count_in_five_lines() -> None:
    out = lines(66)
    assert len(out) <= 5
    assert all(cell_len(line) <= 66 for line in out)
    text = "\n".join(out)
    for title, _level, n in RISKY:
        assert f"{title} ({n})" in text
    # The icons are explained once, for the levels shown.
    assert out[-1].startswith("✖ unsafe  ✗ at risk  ! warnings")
    assert "✓ safe" not in out[-1]


def test_medium_width_uses_aligned_columns_with_short_levels() -> None:
    out = lines(70)
    assert len(out) == 4
    assert out[0].startswith("✖ Database Persistence UNSAFE (15)")
    assert "! Wait Script Safety WARN (15)" in out[1]
    # The second column starts at the same cell on every line.
    assert out[0].index("✖ Migration") == out[1].index("! Wait") == out[2].index("! Volume")


def test_very_narrow_summary_puts_one_area_per_line() -> None:
    out = lines(30)
    assert out[:2] == ["✖ Database Persistence (15)", "✖ Migration Strategy (52)"]
    assert len(out) == len(RISKY) + 1
