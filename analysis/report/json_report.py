"""`keepdata report --format json`: the `check --format json` contract (version 1, unchanged:
`version`, `root`, `findings`, `summary`) extended with what the report knows: metadata, the
verdict, the checklist, the facts and the analyzed files with their digests.

The shape is documented by `keepdata-report.schema.json` (JSON Schema 2020-12) beside this
module. Every string that comes from the project is masked (`analysis.secrets`): URLs lose
their password, the values of secret-bearing variables (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`,
`*_KEY`, ...) become `****`, known token shapes too.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from pathlib import Path, PurePath
from typing import Any, TypeAlias

from analysis.checklist import Checklist
from analysis.facts.named import NAMED_FACTS
from analysis.model import Finding, Location, Related
from analysis.report.check_output import check_json, finding_json
from analysis.report.metadata import ReportMetadata, report_metadata
from analysis.result import Facts, Result
from analysis.secrets import is_secret_name, mask_secrets, mask_value, safe_text
from analysis.sources import SourceFile
from analysis.verdict import Verdict

SCHEMA_FILE = Path(__file__).with_name("keepdata-report.schema.json")
SCHEMA_ID = "https://keepdata.dev/schemas/keepdata-report.schema.json"
REPORT_FORMAT_VERSION = 1

FACT_KEYS: dict[str, str] = {name: fn.__name__ for name, fn in NAMED_FACTS.items()}
"""The JSON key of each fact: the name of the function that computes it."""

_NAME_FIELDS = ("name", "key", "variable")
_VALUE_FIELDS = frozenset({"value", "raw", "default", "text", "expanded", "body", "argument"})
"""Fields that hold a variable's value (masked whole when the variable's name bears a secret)."""
_INSTRUCTION_KEYWORDS = frozenset({"ENV", "ARG", "LABEL"})
_SKIPPED_FIELDS = frozenset({"tree", "node", "nodes_tree", "source", "problems", "yaml", "levels"})
"""Parse trees, whole parsed files and per-step copies of whole scripts: what the other
fields already say, many times over. (Findings are listed once, at the top.)"""
_MAX_DEPTH = 40


JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"
"""What `json.dumps` takes: the shape `to_jsonable` returns."""


def _secret_name(record: object) -> str | None:
    """The name of the variable a record is about, when that name bears a secret."""
    for n in _NAME_FIELDS:
        # reflection over any fact record (the serializer walks records of every kind)
        name = getattr(record, n, None)
        if isinstance(name, str) and is_secret_name(name):
            return name
    return None


def _masked_secret(name: str, value: object) -> object:
    """A secret variable's value (a string, or strings in a tuple or list) masked whole."""
    if isinstance(value, str):
        return mask_value(name, value)
    if isinstance(value, tuple | list):
        return type(value)(_masked_secret(name, v) for v in value)
    return value


def _instruction_text(keyword: str, text: str) -> str:
    """A Dockerfile instruction's arguments masked as the whole line (`ENV KEY value`)."""
    return mask_secrets(f"{keyword} {text}")[len(keyword) + 1 :]


def _parsed_files(value: object) -> bool:
    """A tuple of parsed file records (not of paths): their content is in other fields."""
    return (
        isinstance(value, tuple)
        and bool(value)
        and all(dataclasses.is_dataclass(v) and not isinstance(v, type) for v in value)
    )


def to_jsonable(value: object, depth: int = 0) -> JsonValue:
    """A fact record as JSON data: dataclasses become objects (their public fields), enums
    their value, locations `{path, line, column, end_line}`, sets sorted lists, and every
    string masked. Values of variables whose name looks secret are masked whole."""
    if depth > _MAX_DEPTH:
        return None
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Enum):
        return to_jsonable(value.value, depth + 1)
    if isinstance(value, Location):
        return {
            "path": value.path,
            "line": value.line,
            "column": value.column,
            "end_line": value.last_line,
        }
    if isinstance(value, Finding):
        return finding_json(value)
    if isinstance(value, Related):
        return {"location": to_jsonable(value.location), "message": safe_text(value.message)}
    if isinstance(value, SourceFile):
        return {"path": value.path, "sha256": value.digest}
    if isinstance(value, PurePath):
        return value.as_posix()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, JsonValue] = {}
        secret = _secret_name(value)
        # reflection over any fact record: a Dockerfile instruction has a `keyword`
        keyword = getattr(value, "keyword", None)
        for f in dataclasses.fields(value):
            if f.name.startswith("_") or f.name in _SKIPPED_FIELDS:
                continue
            item = getattr(value, f.name)
            if f.name == "files" and _parsed_files(item):
                continue
            if f.name == "file" and _parsed_files((item,)):
                continue
            if secret is not None and f.name in _VALUE_FIELDS:
                item = _masked_secret(secret, item)
            elif f.name == "text" and keyword in _INSTRUCTION_KEYWORDS and isinstance(item, str):
                item = _instruction_text(keyword, item)
            out[f.name] = to_jsonable(item, depth + 1)
        return out
    if isinstance(value, Mapping):
        result: dict[str, JsonValue] = {}
        for k, v in value.items():
            key = str(to_jsonable(k, depth + 1))
            if is_secret_name(key):
                v = _masked_secret(key, v)
            result[key] = to_jsonable(v, depth + 1)
        return result
    if isinstance(value, set | frozenset):
        items = [to_jsonable(v, depth + 1) for v in value]
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(value, tuple | list):
        return [to_jsonable(v, depth + 1) for v in value]
    return safe_text(str(value))


def _location_json(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def verdict_json(v: Verdict) -> dict[str, Any]:
    return {
        "level": v.level.value,
        "reason": safe_text(v.reason),
        "decided_by": finding_json(v.decided_by) if v.decided_by else None,
        "counts": {s.label: n for s, n in v.counts},
        "suppressed": v.suppressed,
        "areas": [
            {
                "id": a.id,
                "title": a.title,
                "level": a.level.value,
                "rules": list(a.rules),
                "findings": len(a.findings),
                "decided_by": finding_json(a.decided_by) if a.decided_by else None,
            }
            for a in v.areas
        ],
    }


def checklist_json(c: Checklist) -> dict[str, Any]:
    return {
        "counts": {s.value: n for s, n in c.counts().items()},
        "items": [
            {
                "id": item.id,
                "section": item.section.value,
                "text": item.text,
                "status": item.status.value,
                "checked": item.checked,
                "rules": list(item.rules),
                "reason": safe_text(item.reason),
                "evidence": [
                    {
                        "kind": e.kind,
                        "text": safe_text(e.text),
                        "location": _location_json(e.location),
                        "rule": e.rule,
                        "severity": e.severity.label if e.severity is not None else None,
                    }
                    for e in item.evidence
                ],
            }
            for item in c.items
        ],
    }


def facts_json(facts: Facts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    unavailable: dict[str, str] = {}
    for name in Facts.NAMES:
        key = FACT_KEYS[name]
        value = facts.get(name)
        if value is None:
            out[key] = None
            unavailable[key] = safe_text(facts.missing(name))
        else:
            out[key] = to_jsonable(value)
    out["unavailable"] = unavailable
    return out


def metadata_json(meta: ReportMetadata) -> dict[str, Any]:
    return {
        "format": "keepdata-report",
        "format_version": REPORT_FORMAT_VERSION,
        "generated_at": meta.generated_at,
        "keepdata_version": meta.version,
        "git": (
            {
                "commit": meta.git.commit,
                "dirty": meta.git.dirty,
                "branch": meta.git.branch,
                "changed": list(meta.git.changed),
            }
            if meta.git is not None
            else None
        ),
    }


def report_json(analysis: Result, root_label: str, now: datetime | None = None) -> dict[str, Any]:
    meta = report_metadata(analysis, root_label, now)
    out: dict[str, Any] = {"$schema": SCHEMA_ID, **check_json(analysis, root_label)}
    out["report"] = metadata_json(meta)
    out["verdict"] = verdict_json(analysis.verdict)
    out["checklist"] = checklist_json(analysis.checklist)
    out["facts"] = facts_json(analysis.facts)
    out["files"] = [{"path": d.path, "sha256": d.sha256, "size": d.size} for d in meta.files]
    out["errors"] = [
        {
            "area": e.area,
            "checks": list(e.checks),
            "fact": e.fact,
            "message": safe_text(e.message),
            "trace": safe_text(e.trace),
        }
        for e in analysis.errors
    ]
    return out


def render_json(analysis: Result, root_label: str, now: datetime | None = None) -> str:
    return json.dumps(report_json(analysis, root_label, now), indent=2, ensure_ascii=False) + "\n"
