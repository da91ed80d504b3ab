#!/usr/bin/env node
// Prisma's own schema parser as an oracle for keepdata's tests.
//
// Reads a JSON array from stdin: [{"id": "...", "generation": "6" | "7", "files": [[path, text], ...]}]
// and prints a JSON array: [{"id", "ok": true, "datamodel": {...}} | {"id", "ok": false, "error": "..."}].
// The datamodel is the DMMF reduced to what keepdata compares: models (with views), their
// fields and relations, enums.
"use strict";

const PARSERS = { "6": "psw6", "7": "psw7" };

function load(generation) {
  const name = PARSERS[generation];
  if (!name) throw new Error(`no pinned parser for Prisma generation ${generation}`);
  return require(name);
}

function stripAnsi(text) {
  return String(text).replace(/\u001b\[[0-9;]*m/g, "");
}

function reduceField(f) {
  const out = {
    name: f.name,
    kind: f.kind,
    type: f.type,
    isList: f.isList,
    isRequired: f.isRequired,
    isId: f.isId,
    isUnique: f.isUnique,
    isUpdatedAt: Boolean(f.isUpdatedAt),
    hasDefaultValue: f.hasDefaultValue,
    dbName: f.dbName === undefined ? null : f.dbName,
  };
  if (f.kind === "object") {
    out.relationName = f.relationName === undefined ? null : f.relationName;
    out.relationFromFields = f.relationFromFields || [];
    out.relationToFields = f.relationToFields || [];
    out.relationOnDelete = f.relationOnDelete || null;
    out.relationOnUpdate = f.relationOnUpdate || null;
  }
  return out;
}

function reduce(dmmf) {
  const dm = dmmf.datamodel;
  return {
    models: dm.models.map((m) => ({
      name: m.name,
      dbName: m.dbName === undefined ? null : m.dbName,
      schema: m.schema === undefined ? null : m.schema,
      primaryKey: m.primaryKey ? m.primaryKey.fields : null,
      uniqueFields: m.uniqueFields,
      fields: m.fields.map(reduceField),
    })),
    types: (dm.types || []).map((t) => ({ name: t.name, fields: t.fields.map(reduceField) })),
    enums: dm.enums.map((e) => ({
      name: e.name,
      dbName: e.dbName === undefined ? null : e.dbName,
      values: e.values.map((v) => ({ name: v.name, dbName: v.dbName === undefined ? null : v.dbName })),
    })),
  };
}

function run(request) {
  try {
    const wasm = load(request.generation);
    const raw = wasm.get_dmmf(JSON.stringify({ prismaSchema: request.files }));
    return { id: request.id, ok: true, datamodel: reduce(JSON.parse(raw)) };
  } catch (err) {
    let message = stripAnsi(err && err.message ? err.message : err);
    try {
      const parsed = JSON.parse(message);
      message = stripAnsi(parsed.message || message);
    } catch (_) {
      // not JSON: keep the text
    }
    return { id: request.id, ok: false, error: message };
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const requests = JSON.parse(input || "[]");
  process.stdout.write(JSON.stringify(requests.map(run)));
});
