"""Every rule is documented: texts complete, examples real files, `rules`/`explain` render."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tomllib

import pglast
import pytest
import sqlglot
import yaml
from dockerfile_parse import DockerfileParser

from analysis.catalog import RULES
from analysis.report.rule_docs import (
    explain,
    explain_markdown,
    rule_areas,
    rules_markdown,
    rules_table,
)
from analysis.rule_texts import LANGS, PYGMENTS_LEXERS, TEXTS, anchor, text_for

IDS = [r.id for r in RULES]
INTENTIONALLY_BROKEN = {("KD505", "bad"), ("KD612", "bad")}


def squash(text: str) -> str:
    return " ".join(text.split())


def test_catalog_has_93_rules_and_every_one_has_texts() -> None:
    assert len(IDS) == 93 and len(set(IDS)) == 93
    assert set(TEXTS) == set(IDS)


@pytest.mark.parametrize("rule_id", IDS)
def test_texts_are_complete(rule_id: str) -> None:
    t = text_for(rule_id)
    assert t is not None
    assert t.short and "\n" not in t.short and len(t.short) <= 80
    assert len(t.rationale) >= 150, "the rationale says why data is lost, concretely"
    assert len(t.trigger) >= 40
    assert len(t.fix) >= 30
    assert t.bad_lang in LANGS and t.good_lang in LANGS
    for code in (t.bad, t.good):
        lines = [line for line in code.splitlines() if line.strip()]
        assert len(lines) >= 2, "an example is a file snippet, not a fragment"
        assert code == code.strip("\n")
    assert t.bad != t.good
    for field in (t.short, t.rationale, t.trigger, t.fix):
        assert "  " not in field and field == field.strip()


def _parse(code: str, lang: str) -> None:
    if lang == "yaml":
        assert isinstance(yaml.safe_load(code), dict)
    elif lang == "json":
        assert isinstance(json.loads(code), dict)
    elif lang == "toml":
        tomllib.loads(code)
    elif lang == "sql":
        if re.search(r"^\s*PRAGMA\b", code, re.M | re.I):
            sqlglot.parse(code, read="sqlite")
        else:
            pglast.parse_sql(code)
    elif lang == "dockerfile":
        parser = DockerfileParser(fileobj=io.BytesIO(code.encode()))
        instructions = [i["instruction"] for i in parser.structure if i["instruction"] != "COMMENT"]
        assert instructions and instructions[0] == "FROM"
    elif lang == "makefile":
        recipe = [line for line in code.splitlines() if line.startswith("\t")]
        assert recipe, "make recipes are indented with a tab"
    elif lang == "prisma":
        assert code.count("{") == code.count("}")
    elif lang == "sh" and not code.startswith("$ ") and shutil.which("bash"):
        subprocess.run(["bash", "-n"], input=code, text=True, check=True)


@pytest.mark.parametrize("rule_id", IDS)
def test_examples_are_valid_files_of_their_language(rule_id: str) -> None:
    t = TEXTS[rule_id]
    for which, code, lang in (("bad", t.bad, t.bad_lang), ("good", t.good, t.good_lang)):
        if (rule_id, which) in INTENTIONALLY_BROKEN:
            with pytest.raises(Exception):  # noqa: B017 - each parser has its own error type
                if lang == "prisma":
                    assert code.count("{") == code.count("}")
                else:
                    _parse(code, lang)
            continue
        _parse(code, lang)


def test_every_language_has_a_pygments_lexer() -> None:
    from pygments.lexers import get_lexer_by_name

    for lang in LANGS:
        get_lexer_by_name(PYGMENTS_LEXERS[lang])


def test_rules_table_lists_every_rule_aligned() -> None:
    table = rules_table()
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "NAME", "SEVERITY", "AREA"]
    assert [line.split()[0] for line in lines[1:]] == IDS
    column = lines[0].index("SEVERITY")
    for line, rule in zip(lines[1:], RULES, strict=True):
        assert line[column:].split()[0] == rule.severity.label
        assert line.split()[1] == rule.name


def test_rules_table_filters_by_area_and_severity() -> None:
    startup = rules_table(area="startup").splitlines()[1:]
    assert [line.split()[0] for line in startup] == [r.id for r in RULES if r.area == "startup"]
    critical = rules_table(severity="CRITICAL").splitlines()[1:]
    assert {line.split()[0] for line in critical} == {
        r.id for r in RULES if r.severity.label == "critical"
    }
    both = rules_table(area="migrations", severity="critical").splitlines()[1:]
    assert [line.split()[0] for line in both] == ["KD608"]
    assert "persistence" in rule_areas() and len(rule_areas()) == 8


def test_rules_table_bad_filters_name_the_choices() -> None:
    with pytest.raises(ValueError, match="one of: analysis, persistence"):
        rules_table(area="volumes")
    with pytest.raises(ValueError, match="unknown severity 'severe'"):
        rules_table(severity="severe")


def test_rules_table_describe_adds_short_texts() -> None:
    table = rules_table(area="analysis", describe=True)
    assert TEXTS["KD003"].short in table


@pytest.mark.parametrize("rule_id", IDS)
def test_explain_contains_every_part(rule_id: str) -> None:
    out = explain(rule_id)
    assert out is not None
    t = TEXTS[rule_id]
    rule = next(r for r in RULES if r.id == rule_id)
    assert out.startswith(f"{rule.id}  {rule.name}\n")
    assert f"Severity: {rule.severity.label}" in out and f"Area: {rule.area}" in out
    flat = squash(out)
    for part in (t.short, t.rationale, t.trigger, t.fix):
        assert squash(part) in flat
    for line in (t.bad + "\n" + t.good).splitlines():
        assert ("    " + line).rstrip() in out.splitlines()
    for heading in ("Why it loses data", "What triggers it", "Bad (", "Good (", "Fix"):
        assert heading in out
    assert f'ignore = ["{rule_id}"]' in out
    assert "\x1b" not in out


def test_explain_by_name_and_case_and_unknown() -> None:
    assert explain("kd602") == explain("KD602") == explain("drop-column")
    assert explain("KD999") is None
    assert explain("no-such-rule") is None
    assert explain_markdown("KD999") is None


def test_explain_suppress_hint_uses_the_examples_comment_syntax() -> None:
    assert "-- keepdata-ignore KD602" in (explain("KD602") or "")
    assert "// keepdata-ignore KD501" in (explain("KD501") or "")
    assert "# keepdata-ignore KD403" in (explain("KD403") or "")
    assert '"//": "keepdata-ignore KD216' in (explain("KD216") or "")


@pytest.mark.parametrize("rule_id", ["KD101", "KD602", "KD216", "KD501"])
def test_explain_markdown_has_heading_fences_and_parts(rule_id: str) -> None:
    md = explain_markdown(rule_id)
    assert md is not None
    t = TEXTS[rule_id]
    rule = next(r for r in RULES if r.id == rule_id)
    assert md.startswith(f"### {rule.id} {rule.name}\n")
    assert f"```{t.bad_lang}\n{t.bad}\n```" in md
    assert f"```{t.good_lang}\n{t.good}\n```" in md
    for part in (t.short, t.rationale, t.trigger, t.fix):
        assert part in md


def test_rules_markdown_indexes_every_rule() -> None:
    md = rules_markdown()
    for rule in RULES:
        assert f"(#{anchor(rule.id, rule.name)})" in md
        assert f"### {rule.id} {rule.name}\n" in md
