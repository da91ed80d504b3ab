"""The records of a schema's relations (`Relation` and its ends, cascade `Path`s, a model's
`Deletion`) and the referential-action names.
"""

from __future__ import annotations

from analysis.model import Location
from analysis.records import dataclass

RULE = "KD505"

ONE_TO_ONE = "one-to-one"
ONE_TO_MANY = "one-to-many"
MANY_TO_MANY = "many-to-many"

CASCADE = "Cascade"
RESTRICT = "Restrict"
NO_ACTION = "NoAction"
SET_NULL = "SetNull"
SET_DEFAULT = "SetDefault"
ALL_ACTIONS = (CASCADE, RESTRICT, NO_ACTION, SET_NULL, SET_DEFAULT)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class RelationEnd:
    """One side of a relation: the model, its relation field (None when missing)."""

    model: str
    field: str | None
    list: bool
    optional: bool
    location: Location | None

    @property
    def label(self) -> str:
        return f"{self.model}.{self.field}" if self.field else self.model


@dataclass(slots=True, frozen=True)
class Relation:
    """A relation between two models.

    `child` is the owning side: the model whose `fields` hold the foreign key (for an implicit
    many-to-many relation: side A, the model whose name sorts first). `parent` is the
    referenced side. `on_delete`/`on_update` are the effective actions (explicit, else
    Prisma's default for the provider and relation mode); `*_explicit` tells which.
    `required` is True when at least one owning scalar field is required.
    """

    name: str
    explicit_name: bool
    kind: str
    implicit: bool
    child: RelationEnd
    parent: RelationEnd
    fields: tuple[str, ...]
    references: tuple[str, ...]
    required: bool
    on_delete: str
    on_update: str
    on_delete_explicit: bool
    on_update_explicit: bool
    on_delete_location: Location | None
    on_update_location: Location | None
    attribute_location: Location | None
    join_table: str | None = None
    constraint_name: str | None = None

    @property
    def self_relation(self) -> bool:
        return self.child.model == self.parent.model

    @property
    def location(self) -> Location | None:
        """Where the relation is declared: the owning side's `@relation`, else its field."""
        return self.attribute_location or self.child.location or self.parent.location

    @property
    def action_location(self) -> Location | None:
        """Where `onDelete` is written, else where it would be written."""
        return self.on_delete_location or self.location

    @property
    def label(self) -> str:
        if self.kind == MANY_TO_MANY:
            return f"{self.child.label} <-> {self.parent.label}"
        return f"{self.child.label} -> {self.parent.model}"


@dataclass(slots=True, frozen=True)
class Step:
    """Deleting a `parent` row acts on `child` rows through the relation field `child.field`.

    `action` is the effective onDelete (`explicit` tells whether it is written); `location`
    points at the `onDelete` argument, else at the owning side's `@relation`.
    """

    parent: str
    child: str
    field: str | None
    action: str
    explicit: bool
    relation: str
    """The relation's name (`UserPosts`, or Prisma's default `PostToUser`)."""
    location: Location | None
    required: bool = True
    """The child's relation scalar is required: a child row cannot exist without its parent
    (the schema says the parent owns it)."""

    @property
    def label(self) -> str:
        return f"{self.child}.{self.field}" if self.field else self.child


@dataclass(slots=True, frozen=True)
class Path:
    """A chain of steps from the deleted model: `User -> Member -> Assignment`."""

    steps: tuple[Step, ...]
    recursive: bool = False
    """The last step reaches a model already on the path (a self relation or a cycle)."""

    @property
    def models(self) -> tuple[str, ...]:
        if not self.steps:
            return ()
        return (self.steps[0].parent, *(s.child for s in self.steps))

    @property
    def end(self) -> str:
        return self.steps[-1].child

    @property
    def depth(self) -> int:
        return len(self.steps)

    @property
    def text(self) -> str:
        out = " -> ".join(self.models)
        return out + " (recursive)" if self.recursive else out


@dataclass(slots=True, frozen=True)
class Deletion:
    """What deleting one record of `model` does, following the effective referential actions.

    `cascades`: every chain of `Cascade` steps (one `Path` per chain; cycles are cut and
    marked recursive). `deleted_models`: the models whose rows can go with it (the closure).
    `set_null`: chains ending in a SetNull/SetDefault step (rows kept, reference cleared).
    `join_rows`: implicit many-to-many join tables whose rows go with it. `blockers`: chains
    ending in a Restrict/NoAction step: the delete fails while such rows exist.
    """

    model: str
    cascades: tuple[Path, ...]
    deleted_models: tuple[str, ...]
    set_null: tuple[Path, ...]
    join_rows: tuple[str, ...]
    blockers: tuple[Path, ...]
    truncated: bool = False

    @property
    def depth(self) -> int:
        return max((p.depth for p in self.cascades), default=0)


@dataclass(slots=True, frozen=True)
class Node:
    model: str
    kind: str
    table: str
    location: Location
    ignored: bool


@dataclass(slots=True, frozen=True)
class JoinModel:
    """An explicit many-to-many join model: two required relations to other models."""

    model: str
    relations: tuple[Relation, Relation]
