"""keepdata's Prisma schema parser against Prisma's own (`@prisma/prisma-schema-wasm`).

For every fixture under tests/fixtures/schemas/ (a folder with `meta.json` and its `.prisma`
files), keepdata analyzes the folder as a project and Prisma's parser (pinned per generation
in tests/conformance/package.json) produces the DMMF. Valid fixtures must give the same
models, fields, relations (both sides, fields, references, relation names) and referential
actions; invalid fixtures must be rejected by both. Skipped only when node or the npm
packages are missing (`cd tests/conformance && npm ci`).
"""

from __future__ import annotations

import json
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


@pytest.fixture(scope="module")
def oracle() -> dict[str, dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Prisma conformance oracle needs Node.js")
    missing = [n for n in PARSERS.values() if not (CONFORMANCE / "node_modules" / n).is_dir()]
    if missing:
        pytest.skip(
            f"npm packages {', '.join(missing)} are not installed: run "
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
            "isUnique": f.is_unique,
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
