"""The one place parse problems become findings.

Parsers (`analysis.parsers`) report `ParseProblem`s with their parsed data and know nothing
of rules. Here each becomes a finding of the rule for its format: the Prisma schema's KD505,
migration SQL's KD612, and KD001 for every other file (compose, Dockerfile, package.json,
scripts, `.env`, `.dockerignore`, TOML and YAML platform files), at the rule's default
severity, with the parser's message and location.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.catalog import BY_ID
from analysis.model import Finding
from analysis.parsers.migration_sql.records import MigrationSqlFile
from analysis.parsers.prisma_schema.records import SchemaFile
from analysis.parsers.problems import ParseProblem

PARSE_ERROR = "KD001"
SCHEMA_PARSE_ERROR = "KD505"
SQL_PARSE_ERROR = "KD612"


def rule_of(parsed: object) -> str:
    """The rule a problem of this parsed file is reported under."""
    if isinstance(parsed, SchemaFile):
        return SCHEMA_PARSE_ERROR
    if isinstance(parsed, MigrationSqlFile):
        return SQL_PARSE_ERROR
    return PARSE_ERROR


def finding_of(problem: ParseProblem, rule: str = PARSE_ERROR) -> Finding:
    """`problem` as a finding of `rule`, at the rule's default severity."""
    return Finding(rule, BY_ID[rule].severity, problem.message, problem.location)


def problems_of(parsed: object) -> tuple[ParseProblem, ...]:
    """The parse problems a parsed file carries (every parser's record has `problems`)."""
    problems = getattr(parsed, "problems", ())
    if not isinstance(problems, tuple):
        return ()
    return tuple(p for p in problems if isinstance(p, ParseProblem))


def parse_findings(parsed_results: Iterable[object]) -> Iterator[Finding]:
    """A finding for every problem of every parsed file."""
    for parsed in parsed_results:
        problems = problems_of(parsed)
        if problems:
            rule = rule_of(parsed)
            for problem in problems:
                yield finding_of(problem, rule)
