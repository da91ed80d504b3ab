"""What a parser reports when it cannot read part of a file: a `ParseProblem`.

The parsers know the file formats, not the rules: a problem says what went wrong (its
`kind`), in a sentence a person reads, and where. `analysis.parse_problems` turns each into a
finding (KD001, or the schema's KD505 and migration SQL's KD612) in one place.
"""

from __future__ import annotations

from enum import StrEnum

from analysis.model import Location
from analysis.records import dataclass


class ProblemKind(StrEnum):
    SYNTAX = "syntax"
    """The text breaks the format's grammar (invalid YAML, JSON, TOML, SQL, an unclosed
    block or quote)."""
    INVALID = "invalid"
    """Well-formed text the tool itself rejects (an unknown Dockerfile instruction, a
    compose volume without a target, a `.dockerignore` pattern Docker refuses)."""
    DUPLICATE = "duplicate"
    """A key, stage name or directive given twice (the tool rejects it, or keeps one)."""
    TOO_DEEP = "too-deep"
    """Nested past the depth the parser reads; the nested part is left out."""
    LIMIT = "limit"
    """Past a size limit keepdata keeps; the rest is left out."""


@dataclass(slots=True, frozen=True)
class ParseProblem:
    """One thing a parser could not read, and where."""

    kind: ProblemKind
    message: str
    location: Location
