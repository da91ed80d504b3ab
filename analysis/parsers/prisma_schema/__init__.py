"""Parse one Prisma Schema Language file (`*.prisma`) into records that keep their positions.

The grammar follows Prisma's own (psl/schema-ast `datamodel.pest`): a schema is a sequence of
blocks (`datasource`, `generator`, `model`, `view`, `type`, `enum`), each opened by `{` at the
end of its first line and closed by `}` on a line of its own; inside a block every field,
attribute, enum value or `key = value` pair takes exactly one line (Prisma has no multi-line
attributes). `//` comments go anywhere, `///` comments document the next block or field.

The parser never raises. What Prisma would reject in one file (a line that is no declaration,
an unterminated block or string, an unknown attribute or argument, a trailing comma in
attribute arguments) becomes a parse problem (KD505) with line, column and a sentence a person
understands, and parsing goes on with the rest. Checks that need the whole schema (unknown
types, duplicates across files, relations) live in `analysis.facts.schema` and
`analysis.facts.relations`.
"""
