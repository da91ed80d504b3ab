"""KD501-KD511: each rule fires where it should (rule, severity, path, line) and stays quiet
on the traps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from analysis.engine import analyze
from analysis.model import Finding, Severity
from analysis.settings import Settings

DS = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
MIGRATED = {
    "prisma/migrations/20240101000000_init/migration.sql": "-- init\n",
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
}


def findings(root: Path, rule: str, settings: Settings | None = None) -> list[Finding]:
    analysis = analyze(root, settings)
    assert not analysis.errors, analysis.errors
    return [f for f in analysis.findings if f.rule == rule]


def project(write_tree, schema: str, extra: dict[str, str] | None = None) -> Path:
    files = {"prisma/schema.prisma": schema, **MIGRATED, **(extra or {})}
    return write_tree(files)


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


CHAIN = (
    DS
    + """model User {
  id       Int       @id
  members  Member[]
  sessions Session[]
}

model Organization {
  id      Int      @id
  members Member[]
}

model Member {
  id     Int          @id
  userId Int
  orgId  Int
  user   User         @relation(fields: [userId], references: [id], onDelete: Cascade)
  org    Organization @relation(fields: [orgId], references: [id], onDelete: Cascade)
  tasks  Task[]
}

model Task {
  id       Int    @id
  memberId Int
  member   Member @relation(fields: [memberId], references: [id], onDelete: Cascade)
}

model Session {
  id     Int  @id
  userId Int
  user   User @relation(fields: [userId], references: [id], onDelete: Cascade)
}
"""
)


# -- KD501 ----------------------------------------------------------------------------------


def test_kd501_each_cascade_with_its_chain(write_tree) -> None:
    root = project(write_tree, CHAIN)
    found = findings(root, "KD501")
    assert len(found) == 4
    assert all(
        f.severity is Severity.INFO and f.location.path == "prisma/schema.prisma" for f in found
    )
    member_user = next(f for f in found if "`Member.user`" in f.message)
    line = line_of(CHAIN, "user   User         @relation")
    assert member_user.location.line == line
    assert member_user.location.column == CHAIN.split("\n")[line - 1].index("onDelete") + 1
    assert "chain: User -> Member -> Task" in member_user.message
    assert member_user.related and member_user.related[0].message == "model User"


def test_kd501_quiet_without_cascades(write_tree) -> None:
    schema = DS + (
        "model A {\n  id Int @id\n  bs B[]\n  cs C[]\n}\n"
        "model B {\n  id Int @id\n  aId Int?\n  a A? @relation(fields: [aId], references: [id], onDelete: SetNull)\n}\n"
        "model C {\n  id Int @id\n  as2 A[]\n}\n"
    )
    root = project(write_tree, schema.replace("  cs C[]\n", "  cs C[]\n"))
    assert findings(root, "KD501") == []


# -- KD502 ----------------------------------------------------------------------------------


def test_kd502_two_levels(write_tree) -> None:
    root = project(write_tree, CHAIN)
    found = findings(root, "KD502")
    by_model = {f.message.split()[2]: f for f in found}
    assert set(by_model) == {"User", "Organization"}
    user = by_model["User"]
    # every relation on User -> Member -> Task is required: the ownership the cascade
    # expresses, reported low (a map, not an alarm)
    assert user.severity is Severity.LOW
    assert "ownership" in user.message
    assert "User -> Member -> Task" in user.message and "2 levels" in user.message
    assert user.location.line == line_of(CHAIN, "user   User         @relation")
    assert [r.location.line for r in user.related] == [line_of(CHAIN, "member   Member @relation")]


def test_kd502_chain_through_an_optional_relation_names_it(write_tree) -> None:
    # Task.memberId is optional: a task can live on without its member, yet deleting the
    # member deletes it; nothing valuable on the chain: low, naming the optional relation
    schema = CHAIN.replace("memberId Int\n", "memberId Int?\n").replace(
        "member   Member @relation", "member   Member? @relation"
    )
    root = project(write_tree, schema)
    user = next(f for f in findings(root, "KD502") if f.message.startswith("deleting one User"))
    assert user.severity is Severity.LOW and "ownership" not in user.message
    assert "`Task.member` is optional" in user.message and "SetNull" in user.message


def test_kd502_a_tree_of_self_relations_is_ownership(write_tree) -> None:
    # documenso: User -> Folder -> Folder (subfolders); the root folder has no parent
    schema = DS + (
        "model User {\n  id Int @id\n  folders Folder[]\n}\n"
        "model Folder {\n  id Int @id\n  userId Int\n  parentId Int?\n"
        "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n"
        '  parent Folder? @relation("Tree", fields: [parentId], references: [id], onDelete: Cascade)\n'
        '  children Folder[] @relation("Tree")\n}\n'
    )
    found = findings(project(write_tree, schema), "KD502")
    assert found and all(f.severity is Severity.LOW for f in found)


def test_kd502_a_count_named_amount_is_not_money(write_tree) -> None:
    # `tree_ready_amount Int` in a model with no currency is a quantity (see2021-server)
    schema = DS + (
        "model Farm {\n  id Int @id\n  predictions Prediction[]\n}\n"
        "model Prediction {\n  id Int @id\n  tree_ready_amount Int\n  farmId Int\n"
        "  farm Farm @relation(fields: [farmId], references: [id], onDelete: Cascade)\n}\n"
    )
    root = project(write_tree, schema)
    assert findings(root, "KD502") == []
    priced = schema.replace("tree_ready_amount Int\n", "tree_ready_amount Int\n  currency String\n")
    (f,) = findings(project(write_tree, priced), "KD502")
    # a money-looking field is a weaker sign than a valuable name: reported, low
    assert f.severity is Severity.LOW and "looks like money" in f.message


def test_kd502_one_level_into_a_valuable_model_names_why(write_tree) -> None:
    schema = DS + (
        "model Customer {\n  id Int @id\n  payments Payment[]\n  sessions Session[]\n}\n"
        "model Payment {\n  id Int @id\n  customerId Int\n"
        "  customer Customer @relation(fields: [customerId], references: [id], onDelete: Cascade)\n}\n"
        "model Session {\n  id Int @id\n  customerId Int\n"
        "  customer Customer @relation(fields: [customerId], references: [id], onDelete: Cascade)\n}\n"
    )
    root = project(write_tree, schema)
    (f,) = findings(root, "KD502")
    assert "deleting one Customer deletes Payment rows" in f.message
    assert "model name `Payment` looks valuable (payment)" in f.message
    assert f.severity is Severity.MEDIUM  # valuable by name: the catalog's loud case
    assert f.location.line == line_of(schema, "customer Customer @relation") - 0


def test_kd502_valuable_by_field_and_by_setting(write_tree) -> None:
    schema = DS + (
        "model Wallet {\n  id Int @id\n  moves Move[]\n  notes Note[]\n}\n"
        "model Move {\n  id Int @id\n  amount Decimal\n  walletId Int\n"
        "  wallet Wallet @relation(fields: [walletId], references: [id], onDelete: Cascade)\n}\n"
        "model Note {\n  id Int @id\n  walletId Int\n"
        "  wallet Wallet @relation(fields: [walletId], references: [id], onDelete: Cascade)\n}\n"
    )
    root = project(write_tree, schema)
    (f,) = findings(root, "KD502")
    assert "`Move.amount` (Decimal) looks like money" in f.message
    settings = replace(Settings(), valuable_models=("Note",))
    found = findings(root, "KD502", settings)
    assert len(found) == 1 and "Note" in found[0].message and "also" in found[0].message


def test_kd502_each_deep_chain_through_another_first_relation(write_tree) -> None:
    # risky-app: User -> Order -> Invoice (valuable) and User -> Cart -> CartItem (2 levels)
    # are two chains, cut at two relations; a one-level Session beside them is not reported.
    schema = DS + (
        "model User {\n  id Int @id\n  orders Order[]\n  carts Cart[]\n  sessions Session[]\n}\n"
        "model Order {\n  id Int @id\n  userId Int\n"
        "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n"
        "  invoices Invoice[]\n}\n"
        "model Invoice {\n  id Int @id\n  orderId Int\n"
        "  order Order @relation(fields: [orderId], references: [id], onDelete: Cascade)\n}\n"
        "model Cart {\n  id Int @id\n  userId Int\n"
        "  owner User @relation(fields: [userId], references: [id], onDelete: Cascade)\n"
        "  items CartItem[]\n}\n"
        "model CartItem {\n  id Int @id\n  cartId Int\n"
        "  cart Cart @relation(fields: [cartId], references: [id], onDelete: Cascade)\n}\n"
        "model Session {\n  id Int @id\n  userId Int\n"
        "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\n"
    )
    root = project(write_tree, schema)
    found = findings(root, "KD502")
    user = sorted(
        (f.location.line, f.message) for f in found if f.message.startswith("deleting one User")
    )
    order_user = line_of(schema, "invoices Invoice[]") - 1  # `Order.user`
    assert [line for line, _ in user] == [order_user, line_of(schema, "owner User @relation")]
    assert "User -> Order -> Invoice" in user[0][1] and "Cart" not in user[0][1]
    assert "User -> Cart -> CartItem" in user[1][1] and "2 levels" in user[1][1]
    cart = next(f for f in found if "User -> Cart" in f.message)
    assert cart.severity is Severity.LOW  # an ownership chain beside the valuable one
    assert [r.location.line for r in cart.related] == [line_of(schema, "cart Cart @relation")]
    assert not any("Session" in f.message for f in found)


def test_kd502_quiet_for_one_level_of_ordinary_models(write_tree) -> None:
    # `Profile` contains "file" and `Border` contains "order": whole words only
    schema = DS + (
        "model User {\n  id Int @id\n  profile Profile?\n  borders Border[]\n}\n"
        "model Profile {\n  id Int @id\n  userId Int @unique\n"
        "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\n"
        "model Border {\n  id Int @id\n  userId Int\n"
        "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\n"
    )
    root = project(write_tree, schema)
    assert findings(root, "KD502") == []
    assert len(findings(root, "KD501")) == 2


# -- KD503 ----------------------------------------------------------------------------------

SETNULL = DS + (
    "model A {\n  id Int @id\n  bs B[]\n}\n"
    "model B {\n  id Int @id\n  aId Int\n"
    "  a A @relation(fields: [aId], references: [id], onDelete: SetNull)\n}\n"
)


def test_kd503_setnull_on_required(write_tree) -> None:
    root = project(write_tree, SETNULL)
    (f,) = findings(root, "KD503")
    assert f.severity is Severity.HIGH
    line = line_of(SETNULL, "onDelete: SetNull")
    assert (f.location.path, f.location.line) == ("prisma/schema.prisma", line)
    assert f.location.column == SETNULL.split("\n")[line - 1].index("onDelete") + 1
    assert "`B.aId` is required" in f.message


def test_kd503_onupdate_setnull_on_required(write_tree) -> None:
    schema = SETNULL.replace("onDelete: SetNull", "onUpdate: SetNull")
    (f,) = findings(project(write_tree, schema), "KD503")
    assert "onUpdate: SetNull" in f.message


def test_kd503_quiet_on_optional(write_tree) -> None:
    schema = SETNULL.replace("aId Int\n", "aId Int?\n").replace("a A @relation", "a A? @relation")
    assert findings(project(write_tree, schema), "KD503") == []


# -- KD504 ----------------------------------------------------------------------------------

PRISMA_MODE = (
    'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n'
    '  relationMode = "prisma"\n}\n\n'
    "model A {\n  id Int @id\n  bs B[]\n}\n"
    "model B {\n  id Int @id\n  aId Int\n  other Int\n"
    "  a A @relation(fields: [aId], references: [id])\n}\n"
)


def test_kd504_relation_scalar_without_index(write_tree) -> None:
    root = project(
        write_tree, PRISMA_MODE, {"prisma/migrations/migration_lock.toml": 'provider = "mysql"\n'}
    )
    (f,) = findings(root, "KD504")
    assert f.severity is Severity.LOW
    assert f.location.line == line_of(PRISMA_MODE, "a A @relation")
    assert "@@index([aId])" in f.message
    assert f.related[0].location.line == line_of(PRISMA_MODE, "relationMode")


def test_kd504_quiet_with_an_index_that_starts_with_the_field(write_tree) -> None:
    extra = {"prisma/migrations/migration_lock.toml": 'provider = "mysql"\n'}
    with_index = PRISMA_MODE.replace("  a A @relation", "  @@index([aId, other])\n  a A @relation")
    assert findings(project(write_tree, with_index, extra), "KD504") == []


def test_kd504_fires_when_the_field_is_not_the_index_prefix(write_tree) -> None:
    extra = {"prisma/migrations/migration_lock.toml": 'provider = "mysql"\n'}
    wrong = PRISMA_MODE.replace("  a A @relation", "  @@unique([other, aId])\n  a A @relation")
    assert len(findings(project(write_tree, wrong, extra), "KD504")) == 1


def test_kd504_quiet_with_foreign_keys(write_tree) -> None:
    extra = {"prisma/migrations/migration_lock.toml": 'provider = "mysql"\n'}
    fk = PRISMA_MODE.replace('  relationMode = "prisma"\n', "")
    assert findings(project(write_tree, fk, extra), "KD504") == []


# -- KD505 ----------------------------------------------------------------------------------


def test_kd505_syntax_error_with_line_and_column(write_tree) -> None:
    schema = DS + "model User {\n  id Int @id\n  email String @uniqe\n}\n"
    (f,) = findings(project(write_tree, schema), "KD505")
    assert f.severity is Severity.HIGH
    line = line_of(schema, "@uniqe")
    assert (f.location.path, f.location.line) == ("prisma/schema.prisma", line)
    assert f.location.column == schema.split("\n")[line - 1].index("@uniqe") + 1
    assert f.message == "unknown attribute @uniqe on User.email (did you mean @unique?)"


def test_kd505_validation_error_of_the_whole_schema(write_tree) -> None:
    schema = (
        DS
        + "model User {\n  id Int @id\n}\nmodel Post {\n  id Int @id\n  uid Int\n  user User @relation(fields: [uid], references: [id])\n}\n"
    )
    (f,) = findings(project(write_tree, schema), "KD505")
    assert f.location.line == line_of(schema, "user User")
    assert "no back-relation field" in f.message and "`Post[]`" in f.message


def test_kd505_missing_schema_named_by_package_json(write_tree) -> None:
    root = project(
        write_tree,
        DS + "model A {\n  id Int @id\n}\n",
        {"package.json": '{\n  "prisma": {\n    "schema": "db/schema.prisma"\n  }\n}\n'},
    )
    found = findings(root, "KD505")
    assert len(found) == 1 and found[0].location == found[0].location.__class__("package.json", 3)
    assert "does not exist" in found[0].message


def test_kd505_quiet_on_a_valid_schema(write_tree) -> None:
    assert findings(project(write_tree, CHAIN), "KD505") == []


# -- KD506 ----------------------------------------------------------------------------------


def test_kd506_lock_provider_differs(write_tree) -> None:
    lock = '# Please do not edit this file manually\n# It should be added in your version-control system\nprovider = "mysql"\n'
    root = project(write_tree, CHAIN, {"prisma/migrations/migration_lock.toml": lock})
    (f,) = findings(root, "KD506")
    assert f.severity is Severity.HIGH
    assert (f.location.path, f.location.line) == ("prisma/migrations/migration_lock.toml", 3)
    assert f.related[0].location.path == "prisma/schema.prisma"
    assert f.related[0].location.line == line_of(CHAIN, "provider")
    assert "`mysql`" in f.message and "`postgresql`" in f.message


def test_kd506_postgres_alias_and_equal_providers_are_fine(write_tree) -> None:
    root = project(
        write_tree, CHAIN, {"prisma/migrations/migration_lock.toml": 'provider = "postgres"\n'}
    )
    assert findings(root, "KD506") == []
    root2 = project(
        write_tree,
        CHAIN.replace('"postgresql"', '"postgres"'),
        {},
    )
    assert findings(root2, "KD506") == []


# -- KD507 ----------------------------------------------------------------------------------


def test_kd507_model_without_id(write_tree) -> None:
    schema = DS + "model Log {\n  message String\n  at DateTime\n}\n"
    (f,) = findings(project(write_tree, schema), "KD507")
    assert f.severity is Severity.MEDIUM and f.location.line == line_of(schema, "model Log")
    assert "Prisma rejects the schema" in f.message


def test_kd507_only_optional_unique_and_ignored_model(write_tree) -> None:
    schema = DS + "model Log {\n  key String? @unique\n  @@ignore\n}\n"
    (f,) = findings(project(write_tree, schema), "KD507")
    assert "only unique fields that are optional" in f.message and "@@ignore" in f.message
    # the project marked it @@ignore on purpose (postiz's introspected mastra_* tables): info
    assert f.severity is Severity.INFO


def test_kd507_quiet_with_compound_id_unique_or_for_views(write_tree) -> None:
    schema = (
        DS
        + 'generator c {\n  provider = "prisma-client-js"\n  previewFeatures = ["views"]\n}\n'
        + "model A {\n  a Int\n  b Int\n  @@id([a, b])\n}\n"
        + "model B {\n  code String @unique\n}\n"
        + "model C {\n  x Int\n  y Int\n  @@unique([x, y])\n}\n"
        + "view V {\n  name String\n}\n"
    )
    assert findings(project(write_tree, schema), "KD507") == []


# -- KD508 ----------------------------------------------------------------------------------


def test_kd508_required_relation_without_ondelete(write_tree) -> None:
    schema = DS + (
        "model Org {\n  id Int @id\n  invoices Invoice[]\n}\n"
        "model Invoice {\n  id Int @id\n  orgId Int\n  org Org @relation(fields: [orgId], references: [id])\n}\n"
    )
    (f,) = findings(project(write_tree, schema), "KD508")
    assert f.severity is Severity.INFO
    line = line_of(schema, "org Org @relation")
    assert f.location.line == line
    assert f.location.column == schema.split("\n")[line - 1].index("@relation") + 1
    assert "default Restrict" in f.message


def test_kd508_sql_server_says_noaction(write_tree) -> None:
    schema = DS.replace("postgresql", "sqlserver") + (
        "model Org {\n  id Int @id\n  invoices Invoice[]\n}\n"
        "model Invoice {\n  id Int @id\n  orgId Int\n  org Org @relation(fields: [orgId], references: [id])\n}\n"
    )
    extra = {"prisma/migrations/migration_lock.toml": 'provider = "sqlserver"\n'}
    (f,) = findings(project(write_tree, schema, extra), "KD508")
    assert "NoAction" in f.message


def test_kd508_quiet_for_explicit_or_optional(write_tree) -> None:
    schema = DS + (
        "model Org {\n  id Int @id\n  a A[]\n  b B[]\n}\n"
        "model A {\n  id Int @id\n  orgId Int\n  org Org @relation(fields: [orgId], references: [id], onDelete: Restrict)\n}\n"
        "model B {\n  id Int @id\n  orgId Int?\n  org Org? @relation(fields: [orgId], references: [id])\n}\n"
    )
    assert findings(project(write_tree, schema), "KD508") == []


# -- KD509 ----------------------------------------------------------------------------------


def test_kd509_relation_mode_prisma(write_tree) -> None:
    extra = {"prisma/migrations/migration_lock.toml": 'provider = "mysql"\n'}
    (f,) = findings(project(write_tree, PRISMA_MODE, extra), "KD509")
    assert f.severity is Severity.INFO
    assert f.location.line == line_of(PRISMA_MODE, "relationMode")


def test_kd509_quiet_for_foreign_keys_and_mongodb(write_tree) -> None:
    fk = (
        DS.replace("}\n", '  relationMode = "foreignKeys"\n}\n', 1) + "model A {\n  id Int @id\n}\n"
    )
    assert findings(project(write_tree, fk), "KD509") == []
    mongo = (
        'datasource db {\n  provider = "mongodb"\n  url = env("X")\n  relationMode = "prisma"\n}\n'
        'model A {\n  id String @id @map("_id") @db.ObjectId\n}\n'
    )
    assert findings(write_tree({"prisma/schema.prisma": mongo}), "KD509") == []


# -- KD510 ----------------------------------------------------------------------------------


def test_kd510_no_migrations_folder(write_tree) -> None:
    schema = DS + "model A {\n  id Int @id\n}\n"
    root = write_tree({"prisma/schema.prisma": schema})
    (f,) = findings(root, "KD510")
    assert f.severity is Severity.MEDIUM
    assert (f.location.path, f.location.line) == (
        "prisma/schema.prisma",
        line_of(schema, "provider"),
    )
    assert "prisma/migrations" in f.message


def test_kd510_empty_migrations_folder(write_tree) -> None:
    schema = DS + "model A {\n  id Int @id\n}\n"
    root = write_tree({"prisma/schema.prisma": schema, "prisma/migrations/.gitkeep": ""})
    (f,) = findings(root, "KD510")
    assert "holds no migration" in f.message


def test_kd510_quiet_with_migrations_where_prisma_config_says(write_tree) -> None:
    schema = 'datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id\n}\n'
    config = (
        'import { defineConfig, env } from "prisma/config";\n'
        "export default defineConfig({\n"
        '  schema: "prisma/schema.prisma",\n'
        '  migrations: { path: "db/migrations" },\n'
        '  datasource: { url: env("DATABASE_URL") },\n'
        "});\n"
    )
    root = write_tree(
        {
            "prisma/schema.prisma": schema,
            "prisma.config.ts": config,
            "db/migrations/20240101000000_init/migration.sql": "CREATE TABLE a();\n",
        }
    )
    assert findings(root, "KD510") == []
    # without the configured folder, the finding names the configured path
    root2 = write_tree(
        {"prisma/schema.prisma": schema, "prisma.config.ts": config}, root=root.parent / "p2"
    )
    (f,) = findings(root2, "KD510")
    assert "db/migrations" in f.message and f.related[0].location.path == "prisma.config.ts"


def test_kd510_quiet_for_mongodb_and_schema_fragments(write_tree) -> None:
    mongo = 'datasource db {\n  provider = "mongodb"\n  url = env("X")\n}\nmodel A {\n  id String @id @map("_id")\n}\n'
    assert findings(write_tree({"prisma/schema.prisma": mongo}), "KD510") == []
    fragment = "model A {\n  id Int @id\n}\n"
    assert (
        findings(
            write_tree({"other/models.prisma": fragment}, root=Path(str(write_tree({}))) / "frag"),
            "KD510",
        )
        == []
    )


# -- KD511 ----------------------------------------------------------------------------------


def test_kd511_required_ignored_field_without_default(write_tree) -> None:
    schema = DS + "model A {\n  id Int @id\n  legacy String @ignore\n}\n"
    (f,) = findings(project(write_tree, schema), "KD511")
    assert f.severity is Severity.LOW
    line = line_of(schema, "legacy")
    assert (f.location.line, f.location.column) == (
        line,
        schema.split("\n")[line - 1].index("@ignore") + 1,
    )
    assert "`A.legacy`" in f.message


def test_kd511_quiet_with_default_optional_or_ignored_model(write_tree) -> None:
    schema = DS + (
        'model A {\n  id Int @id\n  a String @default("x") @ignore\n  b String? @ignore\n}\n'
        "model B {\n  id Int @id\n  c String @ignore\n  @@ignore\n}\n"
    )
    assert findings(project(write_tree, schema), "KD511") == []


def test_kd510_names_migrations_that_prisma_does_not_see(write_tree) -> None:
    root = write_tree(
        {
            "prisma/schema/schema.prisma": DS + "model A {\n  id Int @id\n}\n",
            "prisma/schema/b.prisma": "model B {\n  id Int @id\n}\n",
            "prisma/migrations/20240101000000_init/migration.sql": "CREATE TABLE a();\n",
        }
    )
    (f,) = findings(root, "KD510")
    assert f.location.path == "prisma/schema/schema.prisma"
    assert "prisma/schema/migrations" in f.message
    assert "migrations exist in prisma/migrations" in f.message
