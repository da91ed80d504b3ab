"""Differential test: keepdata's Prisma schema parser against Prisma's own (WASM, pinned per
generation in tests/prisma_oracle/package.json). A schema Prisma accepts must not give KD505;
a schema Prisma rejects with a syntax error must. Generated variants always run when node is
there (`npm ci` in tests/prisma_oracle when its node_modules is missing); the real-world
corpus's `.prisma` files run when /tmp/keepdata-realworld exists."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from analysis.parsers.prisma_schema import parse_prisma_schema
from analysis.sources import SourceFile
from tests.conftest import REPO

ORACLE = REPO / "tests" / "prisma_oracle"
CORPUS = Path(os.environ.get("KEEPDATA_REALWORLD", "/tmp/keepdata-realworld"))
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

_SYNTAX = re.compile(
    r"This line is (?:not a valid|invalid)|Unexpected token|is not a valid (?:field|enum)|"
    r"does not start with any known|Expected a|unterminated|Error parsing",
    re.I,
)

H6 = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
H7 = 'datasource db {\n  provider = "postgresql"\n}\n'
GEN = 'generator client {\n  provider = "prisma-client-js"\n}\n'
MODEL = "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n"

VARIANTS: dict[str, str] = {
    "plain": H6 + GEN + MODEL,
    "block comment on top": "/* top\n   comment */\n" + H6 + GEN + MODEL,
    "doc block before model": H6 + "/**\n * The users.\n */\n" + MODEL,
    "doc block inside model": H6
    + "model A {\n  /**\n   * the key\n   */\n  id Int @id\n  /* one line */\n  n Int\n}\n",
    "block comment after field": H6 + "model A {\n  id Int @id /* trailing */\n}\n",
    "block comment starting a field line": H6 + "model A {\n  /* c */ id Int @id\n}\n",
    "multi-line comment after a field": H6 + "model A {\n  id Int @id /* a\n  b */\n}\n",
    "multi-line comment ending before a field": H6 + "model A {\n  /* a\n  b */ id Int @id\n}\n",
    "block comment after open brace": H6 + "model A { /* c */\n  id Int @id\n}\n",
    "block comment before close brace": H6 + "model A {\n  id Int @id\n  /* c */ }\n",
    "block comment after close brace": H6 + "model A {\n  id Int @id\n} /* c */\n",
    "block comment before a block": H6 + "/* c */ model A {\n  id Int @id\n}\n",
    "two block comments": H6 + "/* a */ /* b */\nmodel A {\n  id Int @id\n}\n",
    "block comment in datasource": "datasource db {\n  /* c */\n  provider = "
    '"postgresql" /* d */\n  url = env("X")\n}\n' + MODEL,
    "block comment in enum": H6 + "enum Role {\n  /* c */\n  USER\n  ADMIN /* x */\n}\n"
    "model A {\n  id Int @id\n  role Role\n}\n",
    "comment markers in a string": H6
    + 'model A {\n  id Int @id\n  n String @default("/* x */ // y")\n}\n',
    "line comment holding a block opener": H6 + "model A {\n  id Int @id // a /* b\n  n Int\n}\n",
    "doc comment holding block markers": H6
    + "model A {\n  id Int @id\n  /// a /* b */\n  n Int\n}\n",
    "odd attribute spacing": H6 + "model A {\n  id Int @id @default( autoincrement( ) )\n"
    '  n String @db.VarChar( 10 )\n  m Int ?\n  @@index( [ n ] )\n  @@map( "a" )\n}\n',
    "space after @": H6 + "model A {\n  id Int @ id\n}\n",
    "space before list brackets": H6 + "model A {\n  id Int @id\n  n Int []\n}\n",
    "space before ?": H6 + "model A {\n  id Int @id\n  n Int ?\n}\n",
    "space after @@": H6 + "model A {\n  id Int @id\n  n Int\n  @@ index([n])\n}\n",
    "unicode model name": H6 + "model Größe {\n  id Int @id\n}\n",
    "tabs": H6 + "model A {\n\tid\tInt\t@id\n}\n",
    "unicode": H6 + '/// Größe\nmodel A {\n  id Int @id\n  naïve String @map("naïve") // é ü\n}\n',
    "crlf": (H6 + GEN + "/**\r\n * doc\r\n */\r\n" + MODEL).replace("\n", "\r\n"),
    "bom": "\ufeff" + H6 + MODEL,
    "prisma 7 without url": H7 + GEN + MODEL,
    # rejected by Prisma: keepdata must say KD505
    "block comment between field parts": H6 + "model A {\n  id /* c */ Int @id\n}\n",
    "block comment between type and attribute": H6 + "model A {\n  id Int /* c */ @id\n}\n",
    "block comment in an enum value line": H6 + 'enum E {\n  A /* x */ @map("a")\n}\n',
    "nested block comment": H6 + "/* a /* b */ c */\n" + MODEL,
    "unterminated block comment": H6 + "/* open\n" + MODEL,
    "field with no type": H6 + "model A {\n  id Int @id\n  x\n}\n",
    "attribute arguments over lines": H6 + "model A {\n  id Int @id\n  n Int\n  @@index([\n"
    "    n\n  ])\n}\n",
    "dotted attribute with spaces": H6 + "model A {\n  id Int @id @db . Integer\n}\n",
    "list type with a space": H6 + "model A {\n  id Int @id\n  n Int [ ]\n}\n",
}
MULTI_FILE: dict[str, list[tuple[str, str]]] = {
    "schema folder": [
        ("schema/schema.prisma", H6 + GEN),
        ("schema/user.prisma", "/**\n * users\n */\n" + MODEL),
        ("schema/post.prisma", "model Post {\n  id Int @id /* c */\n  authorId Int\n}\n"),
    ],
}


def _generation(files: list[tuple[str, str]]) -> str:
    text = "\n".join(t for _, t in files)
    return "6" if re.search(r"^\s*url\s*=", text, re.M) else "7"


@cache
def _oracle_ready() -> bool:
    if (ORACLE / "node_modules" / "psw6").is_dir() and (ORACLE / "node_modules" / "psw7").is_dir():
        return True
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("node is installed but npm is not: cannot install the Prisma parsers")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=ORACLE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"npm ci in {ORACLE} failed: {done.stderr[-500:]}")
    return True


def prisma_validate(schemas: list[list[tuple[str, str]]]) -> list[tuple[bool, str]]:
    """Prisma's verdict on each schema (a list of files): (accepted, error text)."""
    _oracle_ready()
    items = [{"generation": _generation(files), "files": files} for files in schemas]
    done = subprocess.run(
        [NODE or "node", str(ORACLE / "validate.js")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [(o["ok"], o["error"] or "") for o in json.loads(done.stdout)]


def keepdata_problems(files: list[tuple[str, str]]) -> list[str]:
    out = []
    for path, text in files:
        parsed = parse_prisma_schema(SourceFile(path, text, "0", len(text)))
        out += [f"{p.location.path}:{p.location.line}: {p.message}" for p in parsed.problems]
    return out


def _disagreements(named: dict[str, list[tuple[str, str]]]) -> list[str]:
    verdicts = prisma_validate(list(named.values()))
    bad = []
    for (name, files), (ok, error) in zip(named.items(), verdicts, strict=True):
        ours = keepdata_problems(files)
        if ok and ours:
            bad.append(f"{name}: Prisma accepts, keepdata reports KD505: {ours}")
        elif not ok and _SYNTAX.search(error) and not ours:
            bad.append(f"{name}: Prisma rejects ({error[:300]}), keepdata reports nothing")
    return bad


def test_generated_variants_agree_with_prisma() -> None:
    named = {name: [("schema.prisma", text)] for name, text in VARIANTS.items()}
    named.update(MULTI_FILE)
    assert _disagreements(named) == []


def test_the_variants_cover_both_verdicts() -> None:
    verdicts = prisma_validate([[("schema.prisma", t)] for t in VARIANTS.values()])
    assert sum(ok for ok, _ in verdicts) >= 20 and sum(not ok for ok, _ in verdicts) >= 6


def _corpus_schemas() -> dict[str, list[tuple[str, str]]]:
    """Every `.prisma` file of the exported corpus, grouped into schemas: a file belongs to the
    nearest folder at or above its own that holds a `datasource` (a multi-file schema folder
    such as `prisma/` with `prisma/models/*.prisma`), else to its own folder."""
    paths = [
        p
        for p in sorted(CORPUS.glob("*/**/*.prisma"))
        if "node_modules" not in p.parts and ".git" not in p.parts
    ]
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in paths}
    anchors = {p.parent for p, t in texts.items() if re.search(r"^\s*datasource\s", t, re.M)}
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        home = next((d for d in (path.parent, *path.parent.parents) if d in anchors), None)
        if home is None or CORPUS not in home.parents:
            home = path.parent
        by_folder.setdefault(home, []).append(path)
    out = {}
    for folder, group in by_folder.items():
        files = [(p.relative_to(CORPUS).as_posix(), texts[p]) for p in group]
        out[folder.relative_to(CORPUS).as_posix()] = files
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no real-world corpus at {CORPUS}")
def test_corpus_schemas_agree_with_prisma() -> None:
    named = _corpus_schemas()
    assert named
    assert _disagreements(named) == []
