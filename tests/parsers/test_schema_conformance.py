"""keepdata's Prisma schema parser against Prisma's own (`@prisma/prisma-schema-wasm`).

For every fixture under tests/fixtures/schemas/ (a folder with `meta.json` and its `.prisma`
files), keepdata analyzes the folder as a project and Prisma's parser (pinned per generation
in tests/conformance/package.json) produces the DMMF. Valid fixtures must give the same
models, fields, relations (both sides, fields, references, relation names) and referential
actions; invalid fixtures must be rejected by both. The pinned npm packages are installed
into tests/conformance/node_modules on first use (`npm ci`). Outside CI the test is skipped
when Node.js or npm is missing; in CI (`CI` set) that is a failure, so the oracle always runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from analysis.engine import analyze
from analysis.facts.relations import MANY_TO_MANY, Relation
from analysis.facts.schema import Schema, schema_discovery
from analysis.parsers.prisma_schema import field_refs
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "schemas"
CONFORMANCE = REPO / "tests" / "conformance"
PARSERS = {"6": "psw6", "7": "psw7"}

pytestmark = pytest.mark.node


def _fixtures() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/meta.json"))


def _meta(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "meta.json").read_text())


def _prisma_files(folder: Path) -> list[list[str]]:
    return [
        [p.relative_to(folder).as_posix(), p.read_text()] for p in sorted(folder.rglob("*.prisma"))
    ]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the Prisma conformance oracle must run in CI: {reason}")
    pytest.skip(reason)


def _missing_packages() -> list[str]:
    return [n for n in PARSERS.values() if not (CONFORMANCE / "node_modules" / n).is_dir()]


@pytest.fixture(scope="module")
def oracle() -> dict[str, dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed: the Prisma conformance oracle needs Node.js")
        raise AssertionError  # unreachable: skip/fail raise
    npm = shutil.which("npm")
    if _missing_packages() and npm is not None:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CONFORMANCE,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    missing = _missing_packages()
    if missing:
        _unavailable(
            f"npm packages {', '.join(missing)} could not be installed: run "
            "`cd tests/conformance && npm ci`"
        )
    requests = [
        {"id": f.name, "generation": _meta(f)["generation"], "files": _prisma_files(f)}
        for f in _fixtures()
    ]
    out = subprocess.run(
        [node, str(CONFORMANCE / "dmmf.js")],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=CONFORMANCE,
        check=True,
        timeout=120,
    )
    return {r["id"]: r for r in json.loads(out.stdout)}


def _keepdata(folder: Path) -> tuple[Schema, tuple[Any, ...]]:
    analysis = analyze(folder)
    discovery = analysis.fact(schema_discovery)
    assert len(discovery.schemas) == 1, [s.root for s in discovery.schemas]
    return discovery.schemas[0], discovery.problems


def _relation_index(schema: Schema) -> dict[tuple[str, str], Relation]:
    out: dict[tuple[str, str], Relation] = {}
    for rel in schema.relations:
        for end in (rel.child, rel.parent):
            if end.field is not None:
                out[(end.model, end.field)] = rel
    return out


def reduce_keepdata(schema: Schema) -> dict[str, Any]:
    """keepdata's schema in the shape tests/conformance/dmmf.js gives the DMMF."""
    model_names = {m.name for m in (*schema.models, *schema.views)}
    type_names = {t.name for t in schema.types}
    enum_names = {e.name for e in schema.enums}
    relations = _relation_index(schema)

    def field(model: str, f: Any) -> dict[str, Any]:
        if f.type_name in model_names or f.type_name in type_names:
            kind = "object"
        elif f.type_name in enum_names:
            kind = "enum"
        else:
            kind = "scalar"
        out: dict[str, Any] = {
            "name": f.name,
            "kind": kind,
            "type": f.type_name,
            "isList": f.list,
            "isRequired": not f.optional,
            "isId": f.is_id,
            "isUnique": f.is_unique and not f.is_id,  # the DMMF drops @unique on the id
            "isUpdatedAt": f.is_updated_at,
            "hasDefaultValue": f.has_default,
            "dbName": f.db_name,
        }
        if kind == "object":
            rel = relations.get((model, f.name))
            if rel is None:  # a composite type field
                out.update(
                    relationName=None,
                    relationFromFields=[],
                    relationToFields=[],
                    relationOnDelete=None,
                    relationOnUpdate=None,
                )
                return out
            owning = rel.child.model == model and rel.child.field == f.name
            if rel.kind == MANY_TO_MANY:
                attr = f.relation
                from_fields = list(field_refs(attr.arg("fields"))) if attr else []
                to_fields = list(field_refs(attr.arg("references"))) if attr else []
            else:
                from_fields = list(rel.fields) if owning else []
                to_fields = list(rel.references) if owning else []
            out.update(
                relationName=rel.name,
                relationFromFields=from_fields,
                relationToFields=to_fields,
                relationOnDelete=rel.on_delete if owning and rel.on_delete_explicit else None,
                relationOnUpdate=rel.on_update if owning and rel.on_update_explicit else None,
            )
        return out

    models = []
    for m in (*schema.models, *schema.views):
        if m.is_ignored:
            continue
        block_id = m.block_attribute("id")
        models.append(
            {
                "name": m.name,
                "dbName": m.db_name,
                "schema": m.schema_name,
                "primaryKey": list(field_refs(block_id.arg("fields", 0))) if block_id else None,
                "uniqueFields": [
                    list(field_refs(a.arg("fields", 0))) for a in m.block_attributes("unique")
                ],
                "fields": [
                    field(m.name, f) for f in m.fields if not f.is_ignored and f.unsupported is None
                ],
            }
        )
    return {
        "models": models,
        "types": [
            {"name": t.name, "fields": [field(t.name, f) for f in t.fields]} for t in schema.types
        ],
        "enums": [
            {
                "name": e.name,
                "dbName": e.db_name,
                "values": [{"name": v.name, "dbName": v.db_name} for v in e.values],
            }
            for e in schema.enums
        ],
    }


def _by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for i in items}


@pytest.mark.parametrize("folder", _fixtures(), ids=lambda p: p.name)
def test_fixture_matches_prisma(folder: Path, oracle: dict[str, dict[str, Any]]) -> None:
    meta = _meta(folder)
    prisma = oracle[folder.name]
    schema, discovery_problems = _keepdata(folder)
    assert schema.root == meta.get("root", "schema.prisma")
    if (folder / "package.json").exists():
        assert schema.generation.value.startswith(meta["generation"]), schema.generation_reason
    problems = (*schema.all_problems, *discovery_problems)
    if not meta["valid"]:
        assert not prisma["ok"], "Prisma accepts a fixture marked invalid"
        assert problems, f"keepdata accepts what Prisma rejects:\n{prisma['error']}"
        assert all(p.rule == "KD505" for p in problems)
        return
    assert prisma["ok"], f"Prisma rejects a fixture marked valid:\n{prisma.get('error')}"
    assert not problems, [f"{p.location}: {p.message}" for p in problems]
    ours = reduce_keepdata(schema)
    theirs = prisma["datamodel"]
    assert sorted(_by_name(ours["models"])) == sorted(_by_name(theirs["models"]))
    for name, expected in _by_name(theirs["models"]).items():
        got = _by_name(ours["models"])[name]
        assert _by_name(got["fields"]) == _by_name(expected["fields"]), name
        assert {k: v for k, v in got.items() if k != "fields"} == {
            k: v for k, v in expected.items() if k != "fields"
        }, name
    assert _by_name(ours["types"]) == _by_name(theirs["types"])
    assert _by_name(ours["enums"]) == _by_name(theirs["enums"])


def test_there_are_enough_fixtures() -> None:
    metas = [_meta(f) for f in _fixtures()]
    assert len(metas) >= 10
    assert sum(1 for m in metas if not m["valid"]) >= 3
    assert {m["generation"] for m in metas} == {"6", "7"}


# -- mutations: small edits of the valid fixtures, judged by both parsers -------------------

_MUTATIONS = (
    lambda line: "",
    lambda line: line.replace("@unique", ""),
    lambda line: line.replace("?", "", 1),
    lambda line: line.replace("Int", "String", 1),
    lambda line: line.replace("String", "Int", 1),
    lambda line: line.replace("[]", "", 1),
    lambda line: line.replace(" @id", "", 1),
    lambda line: line.replace("Cascade", "SetNull"),
    lambda line: line.replace("Cascade", "NoAction"),
    lambda line: line.replace("Cascade", "Restrict"),
    lambda line: line.replace("references: [id]", "references: [email]"),
    lambda line: line.replace("fields: [", "fields: [id, "),
    lambda line: line + " @unique" if "@relation" not in line else line,
    lambda line: line.replace(")", "", 1),
    lambda line: line.replace('"', "", 1),
    lambda line: line.replace("@relation(", '@relation("X", '),
    lambda line: line.replace("@default(", "@default(1, "),
    lambda line: line.replace("@map", "@@map"),
    lambda line: line.replace("model ", "view ") if line.startswith("model") else line,
    lambda line: line.replace("@db.", "@pg."),
)
MUTANTS = 240


def _mutants() -> list[tuple[str, str, list[list[str]]]]:
    import random

    rng = random.Random(20240601)
    sources = [
        (f.name, _meta(f)["generation"], _prisma_files(f))
        for f in _fixtures()
        if _meta(f)["valid"] and f.name != "large-generated"
    ]
    out = []
    for k in range(MUTANTS):
        name, generation, files = rng.choice(sources)
        files = [list(pair) for pair in files]
        target = files[rng.randrange(len(files))]
        lines = target[1].split("\n")
        candidates = [i for i, line in enumerate(lines) if line.strip() and "//" not in line]
        i = rng.choice(candidates)
        lines[i] = rng.choice(_MUTATIONS)(lines[i])
        target[1] = "\n".join(lines)
        out.append((f"{name}#{k}", generation, files))
    return out


def test_mutated_schemas_are_judged_like_prisma(oracle: dict[str, dict[str, Any]]) -> None:
    from analysis.facts.schema import Generation, build_schema
    from analysis.parsers.prisma_schema import parse_prisma_schema
    from analysis.sources import SourceFile

    mutants = _mutants()
    requests = [{"id": mid, "generation": gen, "files": files} for mid, gen, files in mutants]
    out = subprocess.run(
        [shutil.which("node") or "node", str(CONFORMANCE / "dmmf.js")],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=CONFORMANCE,
        check=True,
        timeout=300,
    )
    results = {r["id"]: r for r in json.loads(out.stdout)}
    disagreements = []
    for mid, gen, files in mutants:
        parsed = [parse_prisma_schema(SourceFile(p, t, "d", len(t))) for p, t in files]
        generation = Generation.LEGACY if gen == "6" else Generation.V7
        schema = build_schema(parsed, generation=generation)
        prisma = results[mid]
        if schema.valid != prisma["ok"]:
            disagreements.append(
                f"{mid}: prisma {'accepts' if prisma['ok'] else 'rejects'}, keepdata "
                f"{'accepts' if schema.valid else 'rejects'}: "
                + (
                    prisma.get("error", "")[:200]
                    if not prisma["ok"]
                    else str([p.message for p in schema.all_problems][:2])
                )
            )
            continue
        if schema.valid:
            ours, theirs = reduce_keepdata(schema), prisma["datamodel"]
            if _by_name(ours["models"]) != _by_name(theirs["models"]):
                disagreements.append(f"{mid}: the datamodels differ")
    # Prisma checks a few things keepdata does not (e.g. MySQL `Text` columns in unique
    # indexes); allow for them, but not for more.
    assert len(disagreements) <= MUTANTS // 50, "\n".join(disagreements)
