"""package.json: scripts and dependencies with lines, invalid JSON, which scripts a command runs."""

from __future__ import annotations

from analysis.parsers.package_json import (
    json_with_lines,
    parse_package_json,
    script_calls,
    version_major,
)
from analysis.sources import SourceFile

PACKAGE = """{
  "name": "@acme/api",
  "private": true,
  "workspaces": ["apps/*", "packages/*"],
  "packageManager": "pnpm@9.12.0",
  "scripts": {
    "dev": "tsx watch src/index.ts",
    "prebuild": "prisma generate",
    "build": "tsc -p tsconfig.build.json",
    "postbuild": "echo built",
    "start": "node dist/index.js",
    "start:prod": "prisma migrate deploy && node dist/index.js",
    "db:migrate": "prisma migrate dev",
    "db:deploy": "prisma migrate deploy",
    "db:seed": "tsx prisma/seed.ts",
    "postinstall": "prisma generate",
    "all": "run-s db:* build"
  },
  "dependencies": {
    "@prisma/client": "6.4.1",
    "@prisma/adapter-pg": "^6.4.1"
  },
  "devDependencies": {
    "prisma": "~6.4.1"
  },
  "prisma": {
    "schema": "db/schema.prisma",
    "seed": "tsx db/seed.ts"
  }
}
"""


def parse(text: str = PACKAGE, path: str = "package.json"):
    return parse_package_json(SourceFile(path, text, "d", len(text)))


def test_scripts_with_the_line_and_column_of_their_command() -> None:
    pkg = parse()
    assert pkg.problems == ()
    start = pkg.script("start:prod")
    assert start is not None and start.command == "prisma migrate deploy && node dist/index.js"
    assert (start.location.line, start.location.column) == (12, 20)
    assert pkg.script("postinstall").line == 16  # type: ignore[union-attr]
    assert [s.name for s in pkg.scripts][:3] == ["dev", "prebuild", "build"]


def test_dependencies_prisma_key_and_workspaces() -> None:
    pkg = parse()
    assert pkg.prisma_cli is not None and pkg.prisma_cli.dev and pkg.prisma_cli.major == 6
    assert pkg.prisma_cli.location.line == 24
    assert pkg.prisma_client is not None and pkg.prisma_client.version == "6.4.1"
    assert [a.name for a in pkg.adapters] == ["@prisma/adapter-pg"]
    assert pkg.prisma is not None and pkg.prisma.schema == "db/schema.prisma"
    assert pkg.prisma.seed == "tsx db/seed.ts" and pkg.prisma.seed_location is not None
    assert pkg.prisma.seed_location.line == 28
    assert pkg.workspaces == ("apps/*", "packages/*")
    assert pkg.package_manager == "pnpm@9.12.0" and pkg.name == "@acme/api"


def test_invalid_json_is_a_kd001_with_line_and_column() -> None:
    pkg = parse('{\n  "scripts": {\n    "start": "node x.js",\n  }\n}\n')
    (problem,) = pkg.problems
    assert problem.rule == "KD001"
    assert (problem.location.line, problem.location.column) == (4, 3)
    assert pkg.scripts == ()


def test_not_an_object() -> None:
    (problem,) = parse("[1, 2]\n").problems
    assert "not a JSON object" in problem.message


def test_escaped_keys_and_nested_positions() -> None:
    doc = json_with_lines("x.json", '{"a": {"b\\"c": [1, {"d": "e"}]}}')
    assert doc.get("a", 'b"c', 1, "d") == "e"
    assert doc.location("a", 'b"c', 1, "d").column == 21


def test_version_major() -> None:
    assert version_major("^6.4.1") == 6
    assert version_major("~5") == 5
    assert version_major(">=4.16 <5") == 4
    assert version_major("latest") is None
    assert version_major("npm:prisma@7.1.0") == 7


def test_npm_calls_with_lifecycle_hooks() -> None:
    pkg = parse()
    call = script_calls(("npm", "run", "build"), pkg)
    assert call is not None and call.scripts == ("prebuild", "build", "postbuild")
    assert script_calls(("npm", "start"), pkg).scripts == ("start",)  # type: ignore[union-attr]
    assert script_calls(("npm", "test"), pkg).scripts == ("test",)  # type: ignore[union-attr]
    ci = script_calls(("npm", "ci"), pkg)
    assert ci is not None and "postinstall" in ci.scripts
    assert script_calls(("npm", "ci", "--ignore-scripts"), pkg) is None
    prefixed = script_calls(("npm", "--prefix", "apps/api", "run", "db:deploy"), pkg)
    assert prefixed is not None and prefixed.folder == "apps/api"


def test_pnpm_yarn_bun_calls() -> None:
    pkg = parse()
    assert script_calls(("pnpm", "db:deploy"), pkg).scripts == ("db:deploy",)  # type: ignore[union-attr]
    # pnpm 9+ runs pre/post hooks (enable-pre-post-scripts is true by default since
    # pnpm/pnpm#7634); pnpm 6 to 8 did not
    assert script_calls(("pnpm", "run", "build"), pkg).scripts == ("prebuild", "build", "postbuild")  # type: ignore[union-attr]
    old = parse(PACKAGE.replace("pnpm@9.12.0", "pnpm@8.15.4"))
    assert script_calls(("pnpm", "run", "build"), old).scripts == ("build",)  # type: ignore[union-attr]
    # a bin is not a script
    assert script_calls(("pnpm", "prisma", "migrate", "deploy"), pkg) is None
    assert script_calls(("pnpm", "install"), pkg).scripts[-2] == "postinstall"  # type: ignore[union-attr]
    filtered = script_calls(("pnpm", "--filter", "@acme/api", "db:deploy"), None)
    assert filtered is not None and filtered.workspace == "@acme/api"
    # the filtered package's script, even when the working directory's package lacks it
    root_pkg = script_calls(("pnpm", "--filter", "@acme/api", "db:migrate:deploy"), pkg)
    assert root_pkg is not None and root_pkg.scripts == ("db:migrate:deploy",)
    assert script_calls(("yarn", "start:prod"), pkg).scripts == ("start:prod",)  # type: ignore[union-attr]
    assert script_calls(("yarn", "build"), pkg).scripts == ("prebuild", "build", "postbuild")  # type: ignore[union-attr]
    assert script_calls(("yarn", "add", "x"), pkg) is None
    ws = script_calls(("yarn", "workspace", "api", "db:deploy"), None)
    assert ws is not None and ws.workspace == "api" and ws.scripts == ("db:deploy",)
    assert script_calls(("bun", "run", "db:deploy"), pkg).scripts == ("db:deploy",)  # type: ignore[union-attr]
    assert script_calls(("bun", "run", "src/index.ts"), pkg) is None


def test_run_s_and_concurrently() -> None:
    pkg = parse()
    call = script_calls(("run-s", "db:*", "build"), pkg)
    assert call is not None
    assert call.scripts == ("db:migrate", "db:deploy", "db:seed", "build")
    conc = script_calls(("concurrently", "npm:db:deploy", "node worker.js"), pkg)
    assert conc is not None and conc.scripts == ("db:deploy",)
    assert conc.commands == ("node worker.js",)
