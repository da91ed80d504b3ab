"""The Prisma Schema Language parser: records with positions, and problems people understand."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.parsers.prisma_schema import (
    ArrayValue,
    ConstantValue,
    FunctionCall,
    NumberValue,
    SchemaFile,
    StringValue,
    field_refs,
    parse_prisma_schema,
    value_text,
)
from analysis.sources import SourceFile
from tests.conftest import REPO


def parse(text: str, path: str = "prisma/schema.prisma") -> SchemaFile:
    return parse_prisma_schema(SourceFile(path, text, "digest", len(text)))


FULL = """\
// use prisma-8
/// The generator.
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views", "multiSchema"]
  output          = "../generated"
}

datasource db {
  provider          = "postgresql"
  url               = env("DATABASE_URL")
  directUrl         = env("DIRECT_URL")
  shadowDatabaseUrl = "postgresql://u:secret@localhost/shadow"
  relationMode      = "prisma"
  schemas           = ["public", "auth"]
  extensions        = [pgvector(map: "vector", schema: "ext"), postgis, citext(version: "1.6")]
}

/// Roles people can have.
enum Role {
  ADMIN @map("admin") // trailing comment
  USER

  @@map("roles")
  @@schema("auth")
}

/// A user.
model User {
  id        Int                      @id @default(autoincrement())
  email     String                   @unique @db.VarChar(255)
  role      Role                     @default(USER)
  tags      String[]                 @default([])
  nick      String?                  @map("nick_name") /// shown in the UI
  location  Unsupported("geometry")?
  createdAt DateTime                 @default(now()) @updatedAt
  token     String                   @default(dbgenerated("gen_random_uuid()")) @ignore
  score     Float                    @default(-1.5)
  posts     Post[]

  @@index([email(sort: Desc), createdAt], map: "user_idx")
  @@map("users")
  @@schema("auth")
}

model Post {
  id       Int   @id @default(uuid())
  authorId Int?
  author   User? @relation("UserPosts", fields: [authorId], references: [id], onDelete: Cascade, onUpdate: NoAction, map: "post_author_fk")

  @@unique([authorId, id], name: "byAuthor")
  @@ignore
}

view Stats {
  id Int @unique
}

type Address {
  street String
}
"""


def test_full_schema_records_with_positions() -> None:
    f = parse(FULL)
    assert f.problems == ()
    assert f.prisma8_marker == 1
    (gen,) = f.generators
    assert (gen.name, gen.line, gen.column, gen.end_line) == ("client", 3, 1, 7)
    assert gen.provider == "prisma-client-js"
    assert gen.preview_features == ("views", "multiSchema")
    assert gen.output == "../generated"
    assert gen.doc == "The generator."
    (ds,) = f.datasources
    assert ds.provider == "postgresql" and ds.provider_line == 10
    assert ds.relation_mode == "prisma"
    assert ds.url is not None and (ds.url.kind, ds.url.env, ds.url.line, ds.url.column) == (
        "env",
        "DATABASE_URL",
        11,
        23,
    )
    assert ds.direct_url is not None and ds.direct_url.env == "DIRECT_URL"
    shadow = ds.shadow_database_url
    assert shadow is not None and shadow.kind == "literal" and shadow.env is None
    assert ds.schemas == ("public", "auth")
    assert [(e.name, e.db_name, e.schema, e.version) for e in ds.extensions] == [
        ("pgvector", "vector", "ext", None),
        ("postgis", "postgis", None, None),
        ("citext", "citext", None, "1.6"),
    ]
    (role,) = f.enums
    assert [(v.name, v.db_name, v.line, v.column) for v in role.values] == [
        ("ADMIN", "admin", 21, 3),
        ("USER", None, 22, 3),
    ]
    assert role.db_name == "roles" and role.schema_name == "auth"
    assert role.doc == "Roles people can have."
    user, post, stats, address = f.models
    assert (user.kind, user.name, user.line, user.end_line, user.doc) == (
        "model",
        "User",
        29,
        44,
        "A user.",
    )
    assert (stats.kind, address.kind) == ("view", "type")
    assert user.db_name == "users" and user.table_name == "users" and user.schema_name == "auth"
    email = user.field("email")
    assert email is not None
    line31 = FULL.split("\n")[30]
    assert (email.line, email.column, email.type_column) == (31, 3, line31.index("String") + 1)
    assert email.is_unique and email.required
    native = email.native_type
    assert native is not None and native.name == "db.VarChar"
    assert (native.line, native.column) == (31, line31.index("@db.VarChar") + 1)
    assert isinstance(native.args[0].value, NumberValue) and native.args[0].value.text == "255"
    tags = user.field("tags")
    assert tags is not None and tags.list and not tags.optional and not tags.required
    assert isinstance(tags.default, ArrayValue) and tags.default.items == ()
    nick = user.field("nick")
    assert (
        nick is not None
        and nick.optional
        and nick.db_name == "nick_name"
        and nick.column_name == "nick_name"
    )
    assert nick.doc == "shown in the UI"
    loc = user.field("location")
    assert loc is not None and loc.unsupported == "geometry" and loc.optional
    assert loc.type_text == 'Unsupported("geometry")?'
    created = user.field("createdAt")
    assert created is not None and created.is_updated_at
    assert isinstance(created.default, FunctionCall) and created.default.name == "now"
    token = user.field("token")
    assert token is not None and token.is_ignored
    assert value_text(token.default) == 'dbgenerated("gen_random_uuid()")'
    score = user.field("score")
    assert (
        score is not None
        and isinstance(score.default, NumberValue)
        and score.default.text == "-1.5"
    )
    role_field = user.field("role")
    assert role_field is not None and isinstance(role_field.default, ConstantValue)
    assert user.id_fields == ("id",)
    index = user.block_attribute("index")
    assert index is not None and field_refs(index.arg("fields", 0)) == ("email", "createdAt")
    assert (index.line, index.column) == (41, 3)
    assert ("email", "createdAt") in user.index_sets
    author = post.field("author")
    assert author is not None
    rel = author.relation
    assert rel is not None
    assert isinstance(rel.arg("name", 0), StringValue)
    assert field_refs(rel.arg("fields")) == ("authorId",)
    assert field_refs(rel.arg("references")) == ("id",)
    on_delete = rel.argument("onDelete")
    assert on_delete is not None and isinstance(on_delete.value, ConstantValue)
    assert on_delete.value.name == "Cascade" and on_delete.line == 49
    assert post.is_ignored
    assert ("authorId", "id") in post.unique_sets


@pytest.mark.parametrize(
    ("text", "line", "column", "needle"),
    [
        ("model User {\n  id Int @id\n", 1, 1, "unterminated block `model User` opened at line 1"),
        (
            "model User {\n  id Int @id\n\nmodel Post {\n  id Int @id\n}\n",
            1,
            1,
            "add a `}` before `model Post` at line 4",
        ),
        (
            "model User {\n  id Int @id\n  email String @uniqe\n}\n",
            3,
            16,
            "unknown attribute @uniqe on User.email (did you mean @unique?)",
        ),
        (
            "model User {\n  id Int @id\n  @@indx([id])\n}\n",
            3,
            3,
            "unknown attribute @@indx on model User (did you mean @@index?)",
        ),
        ("modle User {\n  id Int @id\n}\n", 1, 1, "unknown block type `modle`"),
        (
            'model User {\n  id Int @id\n  name String @default("abc)\n}\n',
            3,
            24,
            "unterminated string",
        ),
        ("model User {\n  id Int @id @default(autoincrement(\n}\n", 2, 36, "missing `)`"),
        (
            "model User {\n  id Int @id\n  a Int @relation(fields: [a],)\n}\n",
            3,
            30,
            "trailing comma",
        ),
        (
            "model User {\n  id Int @id\n  p P @relation(fieldz: [a])\n}\n",
            3,
            17,
            "unknown argument `fieldz` in @relation on User.p (did you mean fields?)",
        ),
        (
            "model User {\n  id Int @id\n  p P @relation(onDelete: Casade)\n}\n",
            3,
            27,
            "`onDelete: Casade` on User.p is not a referential action (did you mean Cascade?)",
        ),
        ("model User {\n  id Int @id\n  name\n}\n", 3, 3, "field `User.name` has no type"),
        ("model User {\n  id: Int @id\n}\n", 2, 5, "needs no `:`"),
        ("model User {\n  id Int @id\n  tags String[]?\n}\n", 3, 8, "optional lists"),
        (
            'datasource db {\n  provider = "sqlite"\n  urll = "file:x"\n}\n',
            3,
            3,
            "unknown property `urll` in datasource `db` (did you mean url?)",
        ),
        ('datasource db {\n  schemas = ["a",\n    "b"]\n}\n', 2, 13, "missing `]`"),
        ("hello world\n", 1, 1, "is not a declaration"),
        ("model User { id Int @id }\n", 1, 1, "is written on one line"),
        ("type Id = Int\n", 1, 1, "type aliases"),
    ],
)
def test_syntax_problems(text: str, line: int, column: int, needle: str) -> None:
    f = parse(text)
    assert f.problems, text
    hit = [p for p in f.problems if needle in p.message]
    assert hit, [p.message for p in f.problems]
    assert (hit[0].location.line, hit[0].location.column) == (line, column)
    assert hit[0].rule == "KD505" and hit[0].location.path == "prisma/schema.prisma"


def test_parser_recovers_and_keeps_the_rest() -> None:
    text = (
        "model User {\n"
        "  id Int @id\n"
        "  email String @uniqe\n"
        "  bad line here (\n"
        "  name String\n"
        "}\n"
        "garbage\n"
        "model Post {\n"
        "  id Int @id\n"
        "}\n"
    )
    f = parse(text)
    assert [m.name for m in f.models] == ["User", "Post"]
    user = f.models[0]
    assert [fl.name for fl in user.fields] == ["id", "email", "name"]
    assert {p.location.line for p in f.problems} == {3, 4, 7}


def test_merge_conflict_markers_are_one_problem() -> None:
    text = (
        "model A {\n  id Int @id\n<<<<<<< HEAD\n  name String\n=======\n"
        "  fullName String\n>>>>>>> feature\n}\n"
    )
    f = parse(text)
    (problem,) = f.problems
    assert problem.location.line == 3 and "unresolved merge conflict" in problem.message
    assert [fl.name for fl in f.models[0].fields] == ["id", "name", "fullName"]


def test_valid_schema_without_problems_in_comments_and_blank_lines() -> None:
    text = "\n\n// a comment\nmodel A {\n  // inside\n\n  id Int @id // trailing\n}\n// end\n"
    f = parse(text)
    assert f.problems == ()
    assert f.models[0].fields[0].line == 7


def test_native_types_with_any_datasource_name_are_not_unknown_attributes() -> None:
    f = parse("model A {\n  id Int @id @pg.Integer\n  b String @db.VarChar(10)\n}\n")
    assert f.problems == ()


def test_strings_unescape_like_json() -> None:
    f = parse('model A {\n  id Int @id\n  s String @default("a\\"b\\\\c\\u00e9")\n}\n')
    s = f.models[0].field("s")
    assert s is not None and isinstance(s.default, StringValue)
    assert s.default.value == 'a"b\\cé'


def test_every_fixture_schema_parses(tmp_path: Path) -> None:
    for path in sorted((REPO / "tests" / "fixtures" / "schemas").rglob("*.prisma")):
        f = parse(path.read_text(), path.name)
        is_invalid_syntax = path.parent.name in (
            "invalid-unknown-attribute",
            "invalid-unterminated-block",
        )
        assert bool(f.problems) == is_invalid_syntax, (path, [p.message for p in f.problems])


def _large_schema(n: int) -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_large", REPO / "tests" / "fixtures" / "schemas" / "generate_large.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n)


def test_300_generated_models_parse_without_problems() -> None:
    # The timing of this parse is measured by benchmarks/bench_schema.py, not asserted here.
    text = _large_schema(300)
    f = parse_prisma_schema(SourceFile("schema.prisma", text, "d", len(text)))
    assert len(f.models) == 300 and f.problems == ()
