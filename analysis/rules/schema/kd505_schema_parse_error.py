"""KD505 schema-parse-error: The Prisma schema cannot be parsed"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from analysis.context import Context
from analysis.facts.schema import schema_discovery
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Severity
from analysis.rules.registry import Examples, rule

# -- example trees --
_GOOD = """\
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    String @id @default(cuid())
  email String @unique
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  authorId String
  author   User   @relation(fields: [authorId], references: [id])
}
"""
# --

RULE = rule(
    "KD505",
    "schema-parse-error",
    Severity.HIGH,
    area="schema",
    section="schema",
    summary="the schema cannot be parsed: say where and why",
    short="The Prisma schema cannot be parsed",
    rationale="""
        Every schema rule and the schema/migrations comparison depend on the schema. If it
        does not parse, cascades, SetNull traps and pending destructive changes go
        unreported; and `prisma generate` or `migrate deploy` will fail on the same file at
        build or start.
    """,
    trigger="""
        A `.prisma` file (single schema or a multi-file `prisma/schema/` folder) that keepdata's
        parser cannot read: an unterminated block, an unknown block type, a malformed field or
        attribute. Reported at the position with the parser's message. A datasource whose
        provider is a template placeholder (`"{{PRISMA_PROVIDER}}"`) marks a template a script
        fills in, not a schema Prisma reads: info.
    """,
    bad="""
        model User {
          id    String @id @default(cuid())
          email String @unique
          posts Post[]
    """,
    bad_lang="prisma",
    good="""
        model User {
          id    String @id @default(cuid())
          email String @unique
          posts Post[]
        }
    """,
    good_lang="prisma",
    fix="""
        Fix the schema at the reported line; `prisma validate` and `prisma format` show
        Prisma's own view of the error.
    """,
    examples=Examples(good={"prisma/schema.prisma": _GOOD}),
    module=__name__,
)


@RULE.check
def schema_parse_errors(ctx: Context) -> Iterator[Finding]:
    discovery = ctx.fact(schema_discovery)
    yield from discovery.problems
    for schema in discovery.schemas:
        for f in schema.problems:
            yield _template_note(f)


_PLACEHOLDER_PROVIDER = lazy_compile(r'^unknown datasource provider "(\{\{.*\}\}|\$\{.*\}|<.*>)"')


def _template_note(f: Finding) -> Finding:
    """A provider that is a template placeholder (teable's `template.prisma`: `provider =
    "{{PRISMA_PROVIDER}}"`, filled in by a script that writes the real schemas) marks a
    template, not a schema Prisma reads: info."""
    m = _PLACEHOLDER_PROVIDER.match(f.message)
    if m is None:
        return f
    return replace(
        f,
        severity=Severity.INFO,
        message=f"{f.location.path} is a template: its provider {m[1]} is a placeholder a "
        "script fills in to write the schemas Prisma reads; keepdata checks those, not this",
    )
