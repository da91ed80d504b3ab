// Validate Prisma schemas with Prisma's own parser (WASM), for keepdata's differential test.
// stdin: JSON list of {"generation": "6" | "7", "files": [[path, text], ...]}
// stdout: JSON list of {"ok": bool, "error": string | null}, one per input, in order.
"use strict";
const parsers = { 6: require("psw6"), 7: require("psw7") };
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((item) => {
    const parser = parsers[item.generation];
    if (!parser) return { ok: false, error: `no parser for generation ${item.generation}` };
    try {
      parser.validate(JSON.stringify({ prismaSchema: item.files, noColor: true }));
      return { ok: true, error: null };
    } catch (err) {
      return { ok: false, error: String(err && err.message ? err.message : err) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
