"""Compose variable interpolation and .env parsing."""

from __future__ import annotations

import pytest

from analysis.parsers.dotenv_file import parse_dotenv_text
from analysis.parsers.interpolate import has_variable, interpolate, variables

ENV = {"SET": "value", "EMPTY": "", "PORT": "5432"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("$SET", "value"),
        ("${SET}", "value"),
        ("x${SET}y", "xvaluey"),
        ("$SET-suffix", "value-suffix"),
        ("${UNSET}", ""),
        ("${UNSET:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${UNSET-fallback}", "fallback"),
        ("${SET:-fallback}", "value"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("$$SET", "$SET"),
        ("$${SET}", "${SET}"),
        ("cost: 5$", "cost: 5$"),
        ("${UNSET:-${SET}}", "value"),
        ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
        ("${UNSET:-a:b/c}", "a:b/c"),
        ("postgres:${PG:-16}-alpine", "postgres:16-alpine"),
        ("${SET:?must be set}", "value"),
        ("127.0.0.1:${PORT}:5432", "127.0.0.1:5432:5432"),
    ],
)
def test_interpolation_values(text: str, expected: str) -> None:
    assert interpolate(text, ENV).value == expected


def test_undefined_and_required_variables_are_reported() -> None:
    r = interpolate("${A} ${B:-x} ${C:?need C} ${D?} ${SET} $E", ENV)
    assert r.undefined == ("A", "E")
    assert [u.name for u in r.uses if u.required] == ["C", "D"]
    assert [u.name for u in r.uses if u.missing_required] == ["C", "D"]
    assert len(r.errors) == 2 and "need C" in r.errors[0]


def test_required_with_empty_value() -> None:
    assert interpolate("${EMPTY:?}", ENV).errors
    assert not interpolate("${EMPTY?}", ENV).errors


def test_nested_default_variables_count_only_when_used() -> None:
    used = interpolate("${SET:-${INNER}}", ENV)
    assert [u.name for u in used.uses] == ["SET"]
    unused = interpolate("${UNSET:-${INNER}}", ENV)
    assert [u.name for u in unused.uses] == ["UNSET", "INNER"]
    assert unused.undefined == ("INNER",)


@pytest.mark.parametrize("text", ["${}", "${1A}", "${A B}", "${unclosed", "${A:x}"])
def test_invalid_expressions_are_errors_not_exceptions(text: str) -> None:
    r = interpolate(text, ENV)
    assert r.errors


def test_helpers() -> None:
    assert [u.name for u in variables("${A:-${B}} $C")] == ["A", "B", "C"]
    assert has_variable("${X}") and has_variable("$X") and not has_variable("$$X")
    assert not has_variable("no dollars")


def test_pathological_nesting_does_not_blow_up() -> None:
    text = "${A:-" * 200 + "x" + "}" * 200
    r = interpolate(text, {})
    assert isinstance(r.value, str)


def test_dotenv_lines_values_and_quotes() -> None:
    text = """\
# database
POSTGRES_USER=app

export POSTGRES_PASSWORD="s3cret ${POSTGRES_USER}"
LITERAL='no ${POSTGRES_USER} here'
EMPTY=
BARE
MULTI="line one
line two"
AFTER=1 # comment
"""
    f = parse_dotenv_text(text, ".env")
    assert f.problems == ()
    got = [(e.key, e.value, e.line, e.quote) for e in f.entries]
    assert got == [
        ("POSTGRES_USER", "app", 2, ""),
        ("POSTGRES_PASSWORD", "s3cret ${POSTGRES_USER}", 4, '"'),
        ("LITERAL", "no ${POSTGRES_USER} here", 5, "'"),
        ("EMPTY", "", 6, ""),
        ("BARE", None, 7, ""),
        ("MULTI", "line one\nline two", 8, '"'),
        ("AFTER", "1", 10, ""),
    ]
    values = f.values()
    assert values["POSTGRES_PASSWORD"] == "s3cret app"
    assert values["LITERAL"] == "no ${POSTGRES_USER} here"
    assert "BARE" not in values
    assert f.get("AFTER") is not None and f.location(f.entries[0]).line == 2


def test_dotenv_bad_lines_are_kd001_and_the_rest_is_kept() -> None:
    f = parse_dotenv_text("A=1\nthis is not valid\nB=2\n", "config/.env")
    assert [(p.rule, p.location.path, p.location.line) for p in f.problems] == [
        ("KD001", "config/.env", 2)
    ]
    assert [e.key for e in f.entries] == ["A", "B"]


def test_dotenv_problem_messages_mask_secrets() -> None:
    f = parse_dotenv_text('PASSWORD secret="hunter2\n', ".env")
    assert f.problems
    assert "hunter2" not in f.problems[0].message
