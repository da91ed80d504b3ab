"""schemas(ctx): discovery in monorepos, multi-file folders, config and package.json
references; generation, connection settings and the migrations folder of each schema."""

from __future__ import annotations

from pathlib import Path

from analysis.engine import analyze
from analysis.facts.schema import Generation, Schema, schema_discovery, schemas
from analysis.parsers.prisma_config import parse_prisma_config
from analysis.sources import SourceFile

DS6 = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
DS7 = 'datasource db {\n  provider = "postgresql"\n}\n'
GEN = 'generator client {\n  provider = "prisma-client-js"\n}\n'
MODEL = "model {name} {{\n  id Int @id\n}}\n"


def model(name: str) -> str:
    return MODEL.format(name=name)


def found(root: Path) -> tuple[Schema, ...]:
    analysis = analyze(root)
    assert not analysis.errors, analysis.errors
    return analysis.fact(schemas)


def test_monorepo_with_single_and_multi_file_schemas(write_tree) -> None:
    root = write_tree(
        {
            "apps/api/prisma/schema.prisma": GEN + DS6 + model("Order"),
            "apps/api/package.json": '{"dependencies": {"@prisma/client": "5.22.0"}, "devDependencies": {"prisma": "5.22.0"}}',
            "packages/db/prisma/schema/schema.prisma": GEN + DS7,
            "packages/db/prisma/schema/models/user.prisma": model("User"),
            "packages/db/prisma/schema/post.prisma": model("Post"),
            "packages/db/prisma/schema/migrations/20240101000000_init/migration.sql": "--\n",
            "packages/db/prisma/schema/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "packages/db/package.json": '{"devDependencies": {"prisma": "^7.1.0"}}',
            "node_modules/.prisma/client/schema.prisma": GEN + DS6 + model("Hidden"),
            "package.json": '{"private": true, "workspaces": ["apps/*", "packages/*"]}',
        }
    )
    api, db = found(root)
    assert (api.root, api.is_folder) == ("apps/api/prisma/schema.prisma", False)
    assert [m.name for m in api.models] == ["Order"]
    assert api.generation is Generation.LEGACY
    assert api.prisma_version is not None and api.prisma_version.spec == "5.22.0"
    assert api.prisma_version.location.path == "apps/api/package.json"
    assert api.migrations.path == "apps/api/prisma/migrations" and not api.migrations.exists
    assert (db.root, db.is_folder) == ("packages/db/prisma/schema", True)
    assert db.paths == (
        "packages/db/prisma/schema/models/user.prisma",
        "packages/db/prisma/schema/post.prisma",
        "packages/db/prisma/schema/schema.prisma",
    )
    assert sorted(m.name for m in db.models) == ["Post", "User"]
    assert db.generation is Generation.V7
    assert db.provider == "postgresql" and db.relation_mode == "foreignKeys"
    mig = db.migrations
    assert mig.path == "packages/db/prisma/schema/migrations" and mig.exists
    assert mig.lock is not None and mig.lock.provider == "postgresql"
    assert mig.folders == ("packages/db/prisma/schema/migrations/20240101000000_init",)
    assert db.valid and api.valid


def test_package_json_names_the_schema(write_tree) -> None:
    root = write_tree(
        {
            "db/main.prisma": DS6 + model("A"),
            "db/legacy.prisma": DS6 + model("Old"),
            "package.json": '{\n  "prisma": {\n    "schema": "db/main.prisma"\n  },\n  "devDependencies": {"prisma": "6.4.1"}\n}\n',
        }
    )
    result = found(root)
    main = next(s for s in result if s.root == "db/main.prisma")
    assert [loc.path for loc in main.referenced_by] == ["package.json"]
    assert main.referenced_by[0].line == 3
    assert [m.name for m in main.models] == ["A"]
    assert main.generation is Generation.LEGACY
    # the other file with its own datasource is a schema of its own, not merged into main
    assert {s.root for s in result} == {"db/main.prisma", "db/legacy.prisma"}


def test_prisma_config_names_a_folder_and_the_migrations(write_tree) -> None:
    config = (
        'import "dotenv/config";\n'
        'import { defineConfig, env } from "prisma/config";\n'
        "export default defineConfig({\n"
        '  schema: "database",\n'
        '  migrations: { path: "database/history", seed: "tsx database/seed.ts" },\n'
        '  datasource: { url: env("DATABASE_URL"), directUrl: process.env.DIRECT_URL ?? "postgres://localhost/x" },\n'
        "});\n"
    )
    root = write_tree(
        {
            "prisma.config.ts": config,
            "database/base.prisma": GEN + DS7,
            "database/user.prisma": model("User"),
            "database/history/20240101000000_init/migration.sql": "--\n",
        }
    )
    (s,) = found(root)
    assert (s.root, s.is_folder) == ("database", True)
    assert s.config is not None and s.config.path == "prisma.config.ts"
    assert s.referenced_by[0].path == "prisma.config.ts" and s.referenced_by[0].line == 4
    assert s.generation is Generation.V7  # inferred: the config holds the url, the schema none
    assert s.url is not None and (s.url.origin, s.url.kind, s.url.env) == (
        "config",
        "env",
        "DATABASE_URL",
    )
    assert s.url.location.line == 6
    assert s.direct_url is not None and s.direct_url.default == "postgres://localhost/x"
    assert s.migrations.path == "database/history" and s.migrations.exists
    assert s.migrations.configured is not None and s.migrations.configured.line == 5
    assert s.migrations.folders == ("database/history/20240101000000_init",)


def test_prisma6_url_comes_from_the_schema(write_tree) -> None:
    root = write_tree(
        {
            "prisma/schema.prisma": DS6 + model("A"),
            "package.json": '{"dependencies": {"prisma": "~6.1.0"}}',
        }
    )
    (s,) = found(root)
    assert s.generation is Generation.LEGACY
    assert s.url is not None and (s.url.origin, s.url.env, s.url.location.line) == (
        "schema",
        "DATABASE_URL",
        3,
    )


def test_prisma8_marker_and_unknown_generation(write_tree) -> None:
    root = write_tree({"prisma/schema.prisma": "// use prisma-8\n" + DS7 + model("A")})
    (s,) = found(root)
    assert s.generation is Generation.V8 and "use prisma-8" in s.generation_reason
    root2 = write_tree({"schema.prisma": DS6 + model("A")}, root=root / "other")
    (s2,) = found(root2)
    assert s2.generation is Generation.UNKNOWN
    root3 = write_tree(
        {
            "schema.prisma": DS6 + model("A"),
            "package.json": '{"devDependencies": {"prisma": "latest"}}',
        },
        root=root / "third",
    )
    (s3,) = found(root3)
    assert s3.generation is Generation.UNKNOWN and "latest" in s3.generation_reason


def test_generation_decides_what_is_valid(write_tree) -> None:
    p7 = write_tree(
        {
            "prisma/schema.prisma": DS6 + model("A"),
            "package.json": '{"devDependencies": {"prisma": "7.10.0"}}',
        }
    )
    (s,) = found(p7)
    assert [p.location.line for p in s.problems] == [3]
    assert "no longer accepted" in s.problems[0].message
    p6 = write_tree(
        {
            "prisma/schema.prisma": DS7 + model("A"),
            "package.json": '{"devDependencies": {"prisma": "6.19.0"}}',
        },
        root=p7 / "six",
    )
    (s6,) = found(p6)
    assert len(s6.problems) == 1 and "has no `url`" in s6.problems[0].message


def test_validation_problems_name_the_place(write_tree) -> None:
    text = (
        DS6
        + "enum Role {\n  A\n  A\n}\n"
        + "model User {\n  id Int @id\n  id String\n  role Rol\n  tags String[]\n  x String @pg.VarChar(3)\n"
        + "  when String @updatedAt\n  @@index([nope])\n}\n"
        + "model User {\n  id Int @id\n}\n"
    )
    root = write_tree({"schema.prisma": text})
    (s,) = found(root)
    messages = {p.location.line: p.message for p in s.problems}
    lines = text.split("\n")

    def at(needle: str, nth: int = 0) -> int:
        return [i for i, line in enumerate(lines, start=1) if needle in line][nth]

    assert "appears twice in enum `Role`" in messages[at("  A", 1)]
    assert "declared twice in model `User`" in messages[at("id String")]
    assert (
        "unknown type `Rol`" in messages[at("role Rol")]
        and "did you mean `Role`" in messages[at("role Rol")]
    )
    assert "@db.VarChar" in messages[at("@pg.VarChar")]
    assert "must be of type DateTime" in messages[at("@updatedAt")]
    assert "unknown field(s): nope" in messages[at("@@index")]
    assert "declared twice" in messages[at("model User", 1)]


def test_sqlite_rejects_scalar_lists(write_tree) -> None:
    text = 'datasource db {\n  provider = "sqlite"\n  url = "file:dev.db"\n}\nmodel A {\n  id Int @id\n  tags String[]\n}\n'
    (s,) = found(write_tree({"schema.prisma": text}))
    assert [p.location.line for p in s.problems] == [7]


def test_discovery_problem_for_a_missing_config_schema(write_tree) -> None:
    root = write_tree(
        {
            "prisma.config.ts": 'export default { schema: "nope/schema.prisma" }\n',
            "prisma/schema.prisma": DS6 + model("A"),
        }
    )
    discovery = analyze(root).fact(schema_discovery)
    (problem,) = discovery.problems
    assert problem.rule == "KD505" and problem.location.path == "prisma.config.ts"
    assert "does not exist" in problem.message
    assert [s.root for s in discovery.schemas] == ["prisma/schema.prisma"]


def test_container_path_in_a_config_copied_into_an_image_is_not_a_problem(write_tree) -> None:
    # inbox-zero's docker/scripts/prisma.config.ts runs inside the image, where the schema is
    # /app/apps/web/prisma/schema.prisma: not a path of the checkout, so no KD505 for it
    config = 'export default defineConfig({ schema: "/app/apps/web/prisma/schema.prisma" })\n'
    escape = 'export default defineConfig({ schema: "../../../elsewhere/schema.prisma" })\n'
    root = write_tree(
        {
            "docker/scripts/prisma.config.ts": config,
            "tools/prisma.config.ts": escape,
            "apps/web/prisma/schema.prisma": DS6 + model("A"),
        }
    )
    discovery = analyze(root).fact(schema_discovery)
    (problem,) = discovery.problems
    assert problem.location.path == "tools/prisma.config.ts"
    assert "outside the project" in problem.message
    assert [s.root for s in discovery.schemas] == ["apps/web/prisma/schema.prisma"]


def test_reanalysis_reuses_parsed_files(write_tree) -> None:
    root = write_tree({"prisma/schema.prisma": DS6 + model("A")})
    first = found(root)[0]
    second = found(root)[0]
    assert first.files[0] is second.files[0]  # the parse cache returned the same record


def _config(text: str):  # type: ignore[no-untyped-def]
    return parse_prisma_config(SourceFile("apps/web/prisma.config.ts", text, "d", len(text)))


def test_prisma_config_values() -> None:
    cfg = _config(
        'import "dotenv/config";\n'
        'import path from "node:path";\n'
        'import { defineConfig, env } from "prisma/config";\n'
        "export default defineConfig({\n"
        '  schema: path.join(__dirname, "prisma", "schema.prisma"),\n'
        "  migrations: {\n"
        '    path: "prisma/migrations",\n'
        '    seed: "tsx prisma/seed.ts",\n'
        "  },\n"
        "  datasource: {\n"
        '    url: env("DATABASE_URL"),\n'
        "    directUrl: process.env.DIRECT_URL,\n"
        "    shadowDatabaseUrl: `${process.env.DB}/shadow`,\n"
        "  },\n"
        "});\n"
    )
    assert cfg.found and cfg.loads_dotenv
    assert cfg.schema is not None and (cfg.schema.kind, cfg.schema.value, cfg.schema.line) == (
        "literal",
        "prisma/schema.prisma",
        5,
    )
    assert cfg.migrations_path is not None and cfg.migrations_path.value == "prisma/migrations"
    assert cfg.seed is not None and cfg.seed.value == "tsx prisma/seed.ts" and cfg.seed.line == 8
    assert cfg.url is not None and (cfg.url.kind, cfg.url.env, cfg.url.line, cfg.url.column) == (
        "env",
        "DATABASE_URL",
        11,
        10,
    )
    assert cfg.direct_url is not None and (cfg.direct_url.kind, cfg.direct_url.env) == (
        "env",
        "DIRECT_URL",
    )
    shadow = cfg.shadow_database_url
    assert shadow is not None and shadow.computed and "shadow" in shadow.text
    assert cfg.datasource_line == 10 and cfg.directory == "apps/web"


def test_prisma_config_other_shapes() -> None:
    satisfies = _config(
        'import type { PrismaConfig } from "prisma";\n'
        "const schemaPath = 'db/schema';\n"
        "export default {\n"
        "  schema: schemaPath,\n"
        '  datasource: { url: process.env["DATABASE_URL"] ?? "postgresql://localhost/dev" },\n'
        "} satisfies PrismaConfig;\n"
    )
    assert satisfies.schema is not None and satisfies.schema.value == "db/schema"
    assert satisfies.url is not None and satisfies.url.default == "postgresql://localhost/dev"
    named = _config(
        "const config: PrismaConfig = {\n  schema: path.resolve(root, 'x.prisma'),\n  adapter: async () => makeAdapter(),\n};\nexport default config;\n"
    )
    assert named.found and named.schema is not None and named.schema.computed
    assert named.adapter_line == 3
    cjs = _config("module.exports = { schema: 'a/b.prisma' }\n")
    assert cjs.schema is not None and cjs.schema.value == "a/b.prisma"
    nothing = _config("console.log('hello')\n")
    assert not nothing.found and nothing.schema is None


def test_model_files_without_a_datasource_make_a_fragment_schema(write_tree) -> None:
    root = write_tree({"shared/models/a.prisma": model("A"), "shared/models/b.prisma": model("B")})
    (s,) = found(root)
    assert (s.root, s.is_folder, s.datasource) == ("shared/models", True, None)
    assert sorted(m.name for m in s.models) == ["A", "B"]
