"""relation_graphs(ctx) and resolve_relations: pairing, kinds, referential action defaults per
provider, cascade closure with paths, blockers, and the Mermaid/DOT exports."""

from __future__ import annotations

import re

import pytest

from analysis.facts.relations import (
    CASCADE,
    MANY_TO_MANY,
    NO_ACTION,
    ONE_TO_MANY,
    ONE_TO_ONE,
    RESTRICT,
    SET_NULL,
    RelationGraph,
    build_graph,
    relation_graphs,
)
from analysis.facts.schema import Schema, build_schema
from analysis.parsers.prisma_schema import parse_prisma_schema
from analysis.sources import SourceFile


def schema_of(body: str, provider: str = "postgresql", mode: str | None = None) -> Schema:
    ds = f'datasource db {{\n  provider = "{provider}"\n'
    if mode:
        ds += f'  relationMode = "{mode}"\n'
    text = ds + "}\n" + body
    parsed = parse_prisma_schema(SourceFile("schema.prisma", text, "d", len(text)))
    assert parsed.problems == (), [p.message for p in parsed.problems]
    return build_schema([parsed])


def graph_of(body: str, provider: str = "postgresql", mode: str | None = None) -> RelationGraph:
    return build_graph(schema_of(body, provider, mode))


BLOG = """
model User {
  id       Int       @id
  posts    Post[]
  profile  Profile?
  members  Member[]
}
model Profile {
  id     Int  @id
  userId Int  @unique
  user   User @relation(fields: [userId], references: [id], onDelete: Cascade)
}
model Post {
  id       Int     @id
  authorId Int?
  author   User?   @relation(fields: [authorId], references: [id])
  tags     Tag[]
}
model Tag {
  id    Int    @id
  posts Post[]
}
model Team {
  id      Int      @id
  members Member[]
}
model Member {
  userId      Int
  teamId      Int
  user        User         @relation(fields: [userId], references: [id], onDelete: Cascade)
  team        Team         @relation(fields: [teamId], references: [id], onDelete: Cascade)
  assignments Assignment[]
  @@id([userId, teamId])
}
model Assignment {
  id       Int    @id
  userId   Int
  teamId   Int
  member   Member @relation(fields: [userId, teamId], references: [userId, teamId])
}
"""


def rel(graph: RelationGraph, label: str):  # type: ignore[no-untyped-def]
    return next(r for r in graph.relations if r.child.label == label)


def test_kinds_sides_and_defaults() -> None:
    g = graph_of(BLOG)
    profile = rel(g, "Profile.user")
    assert profile.kind == ONE_TO_ONE and profile.parent.label == "User.profile"
    assert (profile.on_delete, profile.on_delete_explicit, profile.on_update) == (
        CASCADE,
        True,
        CASCADE,
    )
    author = rel(g, "Post.author")
    assert author.kind == ONE_TO_MANY and author.parent.field == "posts"
    assert (author.fields, author.references) == (("authorId",), ("id",))
    assert (author.on_delete, author.on_delete_explicit, author.required) == (
        SET_NULL,
        False,
        False,
    )
    assert author.name == "PostToUser" and not author.explicit_name
    member = rel(g, "Assignment.member")
    assert member.fields == ("userId", "teamId") and member.references == ("userId", "teamId")
    assert (member.on_delete, member.required) == (RESTRICT, True)
    tags = next(r for r in g.relations if r.kind == MANY_TO_MANY)
    assert tags.implicit and tags.join_table == "_PostToTag"
    assert (tags.child.label, tags.parent.label) == ("Post.tags", "Tag.posts")
    assert [j.model for j in g.join_models] == ["Member"]


def test_cascade_closure_paths_and_blockers() -> None:
    g = graph_of(BLOG)
    user = g.deletion("User")
    assert user is not None
    assert user.deleted_models == ("Member", "Profile")
    assert [p.text for p in user.cascades] == ["User -> Member", "User -> Profile"]
    assert [p.text for p in user.set_null] == ["User -> Post"]
    # deleting a user deletes its memberships, which assignments still reference
    assert [p.text for p in user.blockers] == ["User -> Member -> Assignment"]
    assert user.blockers[0].steps[-1].action == RESTRICT
    post = g.deletion("Post")
    assert post is not None and post.join_rows == ("_PostToTag",) and post.cascades == ()
    team = g.deletion("Team")
    assert team is not None and team.depth == 1


def test_self_relation_cascade_is_recursive() -> None:
    g = graph_of(
        """
model Node {
  id       Int    @id
  parentId Int?
  parent   Node?  @relation("Tree", fields: [parentId], references: [id], onDelete: Cascade)
  children Node[] @relation("Tree")
}
"""
    )
    (r,) = g.relations
    assert r.self_relation and r.name == "Tree" and r.explicit_name
    node = g.deletion("Node")
    assert node is not None and node.deleted_models == ("Node",)
    assert [p.text for p in node.cascades] == ["Node -> Node (recursive)"]


def test_named_implicit_and_self_many_to_many() -> None:
    g = graph_of(
        """
model Person {
  id        Int      @id
  followers Person[] @relation("Follows")
  following Person[] @relation("Follows")
  groups    Group[]  @relation("Membership")
}
model Group {
  id      Int      @id
  members Person[] @relation("Membership")
}
"""
    )
    tables = sorted(r.join_table or "" for r in g.relations)
    assert tables == ["_Follows", "_Membership"]
    person = g.deletion("Person")
    assert person is not None and person.join_rows == ("_Follows", "_Membership")


@pytest.mark.parametrize(
    ("provider", "mode", "required_default"),
    [
        ("postgresql", None, RESTRICT),
        ("mysql", None, RESTRICT),
        ("sqlite", None, RESTRICT),
        ("sqlserver", None, NO_ACTION),
        ("postgresql", "prisma", RESTRICT),
        ("sqlserver", "prisma", RESTRICT),
    ],
)
def test_default_on_delete_per_provider(
    provider: str, mode: str | None, required_default: str
) -> None:
    body = """
model A {
  id Int @id
  bs B[]
  cs C[]
}
model B {
  id  Int @id
  aId Int
  a   A   @relation(fields: [aId], references: [id])
}
model C {
  id  Int  @id
  aId Int?
  a   A?   @relation(fields: [aId], references: [id])
}
"""
    g = graph_of(body, provider, mode)
    assert rel(g, "B.a").on_delete == required_default
    assert rel(g, "C.a").on_delete == SET_NULL
    assert rel(g, "B.a").on_update == CASCADE


@pytest.mark.parametrize(
    ("body", "provider", "mode", "needle"),
    [
        (
            "model A {\n  id Int @id\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id])\n}\n",
            "postgresql",
            None,
            "no back-relation field",
        ),
        (
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A\n}\n",
            "postgresql",
            None,
            "must give `fields: [...]`",
        ),
        (
            "model A {\n  id Int @id\n  b B?\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id])\n}\n",
            "postgresql",
            None,
            "must use unique fields",
        ),
        (
            "model A {\n  id Int @id\n  code String\n  bs B[]\n}\nmodel B {\n  id Int @id\n  c String\n  a A @relation(fields: [c], references: [code])\n}\n",
            "postgresql",
            None,
            "unique criterion",
        ),
        (
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  aId String\n  a A @relation(fields: [aId], references: [id])\n}\n",
            "postgresql",
            None,
            "the types must match",
        ),
        (
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  aId Int?\n  a A @relation(fields: [aId], references: [id])\n}\n",
            "postgresql",
            None,
            "make `a` optional",
        ),
        (
            "model A {\n  id Int @id\n  x B[]\n  y B[]\n}\nmodel B {\n  id Int @id\n  as A[]\n}\n",
            "postgresql",
            None,
            "ambiguous relation",
        ),
        (
            "model A {\n  id Int @id\n  pId Int?\n  p A? @relation(fields: [pId], references: [id])\n  c A[]\n}\n",
            "postgresql",
            None,
            "ambiguous self relation",
        ),
        (
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id], onDelete: Restrict)\n}\n",
            "sqlserver",
            None,
            "`onDelete: Restrict`",
        ),
        (
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id], onDelete: NoAction)\n}\n",
            "postgresql",
            "prisma",
            "use `Restrict`",
        ),
        (
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id], onDelete: SetNull)\n}\n",
            "mysql",
            None,
            "mysql rejects it",
        ),
        (
            'model A {\n  id Int @id\n  pId Int?\n  p A? @relation("T", fields: [pId], references: [id], onDelete: Cascade)\n  c A[] @relation("T")\n}\n',
            "sqlserver",
            None,
            "needs `onDelete: NoAction, onUpdate: NoAction`",
        ),
        (
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  as A[] @relation(onDelete: Cascade)\n}\n",
            "postgresql",
            None,
            "not supported on implicit many-to-many",
        ),
    ],
)
def test_relation_problems(body: str, provider: str, mode: str | None, needle: str) -> None:
    s = schema_of(body, provider, mode)
    assert any(needle in p.message for p in s.problems), [p.message for p in s.problems]
    assert all(p.rule == "KD505" and p.location.path == "schema.prisma" for p in s.problems)


def test_sql_server_multiple_cascade_paths() -> None:
    body = """
model A {
  id Int @id
  bs B[]
  cs C[]
}
model B {
  id  Int @id
  aId Int
  a   A   @relation(fields: [aId], references: [id], onDelete: Cascade)
  ds  D[]
}
model C {
  id  Int @id
  aId Int
  a   A   @relation(fields: [aId], references: [id], onDelete: Cascade)
  ds  D[]
}
model D {
  id  Int @id
  bId Int
  cId Int
  b   B   @relation(fields: [bId], references: [id], onDelete: Cascade)
  c   C   @relation(fields: [cId], references: [id], onDelete: Cascade)
}
"""
    s = schema_of(body, "sqlserver")
    assert any("more than one path" in p.message for p in s.problems)
    assert schema_of(body, "postgresql").problems == ()


# -- exports ---------------------------------------------------------------------------------

_ENTITY = r"[A-Za-z_][A-Za-z0-9_-]*"
_REL_LINE = re.compile(
    rf'^    ({_ENTITY}) (\|\||\|o|\}}o|\}}\||o\{{|o\||\|\{{)--(\|\||o\||o\{{|\|\{{|\|o|\}}o) ({_ENTITY}) : "[^"]*"$'
)
_ENTITY_OPEN = re.compile(rf"^    ({_ENTITY}) \{{$")
_ATTR = re.compile(rf'^        {_ENTITY} {_ENTITY}( (PK|FK|UK)(, (PK|FK|UK))*)?( "[^"]*")?$')


def assert_valid_mermaid(text: str) -> None:
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "erDiagram"
    in_entity = False
    for line in lines[1:]:
        if in_entity:
            if line == "    }":
                in_entity = False
            else:
                assert _ATTR.match(line), line
        elif _ENTITY_OPEN.match(line):
            in_entity = True
        else:
            assert _REL_LINE.match(line), line
    assert not in_entity


def test_mermaid_export_is_valid_and_marks_cascades() -> None:
    g = graph_of(BLOG)
    text = g.mermaid()
    assert_valid_mermaid(text)
    assert 'User ||--o| Profile : "user (onDelete: Cascade, deleted with parent)"' in text
    assert 'User |o--o{ Post : "author (onDelete: SetNull)"' in text
    assert 'Post }o--o{ Tag : "tags / posts (implicit _PostToTag, rows cascade)"' in text
    s = schema_of(BLOG)
    with_fields = g.mermaid(with_fields=True, models={m.name: m for m in s.models})
    assert_valid_mermaid(with_fields)
    assert "        Int userId PK, FK" in with_fields


def test_mermaid_sanitizes_names_and_labels() -> None:
    g = graph_of(
        """
model order_item {
  id   Int   @id
  tags tag-2[]
}
model tag-2 {
  id    Int          @id
  items order_item[]
}
model Lonely {
  id Int @id
}
"""
    )
    text = g.mermaid()
    assert_valid_mermaid(text)
    assert "order_item }o--o{ tag_2 : " in text
    assert not re.search(r"^    tag-2|tag-2 :", text, re.MULTILINE)
    assert "    Lonely {\n    }" in text


def test_dot_export() -> None:
    text = graph_of(BLOG).dot()
    assert text.startswith('digraph "prisma:schema.prisma" {')
    assert text.rstrip().endswith("}")
    assert (
        '"User" -> "Profile" [label="user\\nonDelete: Cascade", color=red, penwidth=2, arrowhead=tee];'
        in text
    )
    assert '"Team" -> "Member"' in text
    assert (
        '"Member" -> "Assignment" [label="member\\nonDelete: Restrict (default)", style=dashed];'
        in text
    )
    # every quoted string is closed: an even number of unescaped quotes per line
    for line in text.split("\n"):
        assert len(re.findall(r'(?<!\\)"', line)) % 2 == 0, line


def test_relation_graphs_fact_follows_schemas(write_tree) -> None:
    from analysis.engine import analyze

    root = write_tree(
        {
            "a/prisma/schema.prisma": 'datasource db {\n  provider = "sqlite"\n  url = "file:a.db"\n}\n'
            + BLOG.replace("  tags     Tag[]\n", "")
            .replace("  posts Post[]\n", "")
            .replace("model Tag {\n  id    Int    @id\n}\n", ""),
            "b/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\nmodel Z {\n  id Int @id\n}\n',
        }
    )
    graphs = analyze(root).fact(relation_graphs)
    assert [g.schema for g in graphs] == ["a/prisma/schema.prisma", "b/schema.prisma"]
    assert graphs[0].provider == "sqlite" and graphs[1].relations == ()
