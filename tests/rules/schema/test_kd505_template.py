"""KD505 on a schema template: teable's `template.prisma` has `provider =
"{{PRISMA_PROVIDER}}"`, which a script fills in to write the real schemas; info, saying so.
An unknown literal provider stays high."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

MODEL = "\nmodel Space {\n  id String @id\n}\n"


def kd505(provider: str) -> list:
    schema = f'datasource db {{\n  provider = "{provider}"\n  url = env("DATABASE_URL")\n}}\n'
    return run_rule("KD505", {"prisma/template.prisma": schema + MODEL})


def test_a_placeholder_provider_marks_a_template() -> None:
    (f,) = kd505("{{PRISMA_PROVIDER}}")
    assert f.severity is Severity.INFO
    assert f.location.path == "prisma/template.prisma" and f.location.line == 2
    assert "is a template" in f.message and "{{PRISMA_PROVIDER}}" in f.message


def test_an_unknown_provider_stays_high() -> None:
    (f,) = kd505("postgress")
    assert f.severity is Severity.HIGH
    assert 'unknown datasource provider "postgress"' in f.message
