"""Program files: the commands JavaScript/TypeScript and Python files start, as text."""

from __future__ import annotations

from analysis.parsers.programs import parse_program, program_file
from analysis.sources import SourceFile

START_TS = """#!/usr/bin/env tsx
import { execSync, spawn } from "node:child_process";
import { $ } from "zx";
import * as cp from "child_process";

// execSync("npx prisma migrate reset --force")   <- a comment, not a call
/* spawn("prisma", ["db", "push", "--accept-data-loss"]) */
const pattern = /execSync\\("npx prisma db push"\\)/g;
const MIGRATE = "npx prisma migrate deploy";
const quoted = 'execSync("npx prisma migrate reset")';
const url = `postgres://${user}:${password}@db:5432/app`;

async function main(): Promise<void> {
  execSync(MIGRATE, { stdio: "inherit" });
  execSync(`npx prisma db push --schema=${schemaPath} --accept-data-loss`);
  const child = spawn("npx", ["prisma", "migrate", "deploy"], { stdio: "inherit" });
  await $`npx prisma db seed`;
  cp.spawnSync("prisma", [
    "db",
    "push",
    "--force-reset",
  ]);
  Bun.spawnSync(["bunx", "prisma", "generate"]);
}

main();
"""


def parse(text: str, path: str):
    return parse_program(SourceFile(path, text, "d", len(text)))


def test_javascript_commands_with_lines() -> None:
    prog = parse(START_TS, "scripts/start.ts")
    got = [(c.api, c.line, c.text) for c in prog.commands]
    assert got == [
        ("execSync", 14, "npx prisma migrate deploy"),
        ("execSync", 15, "npx prisma db push --schema=${schemaPath} --accept-data-loss"),
        ("spawn", 16, "npx prisma migrate deploy"),
        ("$", 17, "npx prisma db seed"),
        ("spawnSync", 18, "prisma db push --force-reset"),
        ("Bun.spawnSync", 23, "bunx prisma generate"),
    ]
    assert prog.commands[2].argv == ("npx", "prisma", "migrate", "deploy")
    assert prog.commands[0].command == "npx prisma migrate deploy"


def test_comments_strings_and_regexes_are_not_calls() -> None:
    prog = parse(
        "// execSync('npx prisma migrate reset')\n"
        "const s = \"execSync('npx prisma migrate reset')\";\n"
        "const r = /spawn\\(['\"]prisma/;\n"
        "const t = `${execSync('npx prisma migrate status')}`;\n",
        "x.js",
    )
    assert [c.text for c in prog.commands] == []


def test_python_subprocess_and_os_system() -> None:
    prog = parse(
        "import os, subprocess\n"
        'CMD = ["npx", "prisma", "migrate", "deploy"]\n'
        "subprocess.run(CMD, check=True)\n"
        'subprocess.check_call("npx prisma db push --accept-data-loss", shell=True)\n'
        'os.system(f"npx prisma migrate reset --force --schema {path}")\n'
        "# subprocess.run(['prisma', 'migrate', 'reset'])\n",
        "manage.py",
    )
    assert [(c.api, c.line, c.text) for c in prog.commands] == [
        ("subprocess.run", 3, "npx prisma migrate deploy"),
        ("subprocess.check_call", 4, "npx prisma db push --accept-data-loss"),
        ("os.system", 5, "npx prisma migrate reset --force --schema ${...}"),
    ]


def test_python_syntax_error_gives_no_commands() -> None:
    assert parse("def broken(:\n", "x.py").commands == ()


def test_program_file_recognises_runners() -> None:
    assert program_file(("node", "dist/index.js")) == ("dist/index.js", ())
    assert program_file(("tsx", "watch", "src/index.ts")) == ("src/index.ts", ())
    assert program_file(("tsx", "scripts/migrate.ts", "--dry")) == (
        "scripts/migrate.ts",
        ("--dry",),
    )
    assert program_file(("npx", "tsx", "prisma/seed.ts")) == ("prisma/seed.ts", ())
    assert program_file(("ts-node", "-r", "tsconfig-paths/register", "src/main.ts")) == (
        "src/main.ts",
        (),
    )
    assert program_file(("bun", "run", "scripts/x.ts")) == ("scripts/x.ts", ())
    assert program_file(("python3", "-u", "manage.py", "migrate")) == ("manage.py", ("migrate",))
    assert program_file(("node", "-e", "console.log(1)")) is None
    assert program_file(("npm", "start")) is None


def test_wrapper_functions_pass_commands_on() -> None:
    prog = parse(
        'const { execSync, spawnSync } = require("node:child_process");\n'
        "function run(cmd) {\n"
        "  console.log(`> ${cmd}`);\n"
        '  execSync(cmd, { stdio: "inherit" });\n'
        "}\n"
        "const sh = async (bin, args) => { spawnSync(bin, args); };\n"
        "try {\n"
        '  run("npx prisma db push --accept-data-loss");\n'
        "} catch (e) {}\n"
        'sh("npx", ["prisma", "migrate", "deploy"]);\n'
        "run(someVariable);\n",
        "scripts/migrate.js",
    )
    assert [(c.api, c.line, c.text) for c in prog.commands] == [
        ("run -> execSync", 8, "npx prisma db push --accept-data-loss"),
        ("sh -> spawnSync", 10, "npx prisma migrate deploy"),
    ]
