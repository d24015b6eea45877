// Validates an AsyncAPI document with the AsyncAPI parser (@asyncapi/parser,
// pinned in package-lock.json): the AsyncAPI 3.0 schema, references, and the
// parser's built-in rules; errors and warnings both fail. The parser does not
// check message examples against their schemas (AsyncAPI 3): this script
// does, with the ajv the parser itself depends on (same lock file).
//
// Usage: node asyncapi_validate.js FILE   (prints one line per diagnostic)
"use strict";
const path = require("path");
const root = process.env.JIT_SOURCE_DIR || path.join(__dirname, "..", "..");
const parserDir = path.join(root, "node_modules", "@asyncapi", "parser");
const { Parser, fromFile } = require(parserDir);

// The parser's dereferenced schemas carry its own x-parser-* keys and may be
// circular-free copies; drop the extension keys ajv does not know.
function clean(o) {
  if (Array.isArray(o)) return o.map(clean);
  if (o && typeof o === "object") {
    const out = {};
    for (const [k, v] of Object.entries(o)) if (!k.startsWith("x-")) out[k] = clean(v);
    return out;
  }
  return o;
}

async function main() {
  const file = process.argv[2];
  if (!file) { console.error("usage: asyncapi_validate.js FILE"); process.exit(2); }
  const parser = new Parser();
  const { document, diagnostics } = await fromFile(parser, file).parse();
  const severities = ["error", "warning", "info", "hint"];
  let bad = 0;
  for (const d of diagnostics) {
    const where = (d.path || []).join(".");
    const line = d.range ? `:${d.range.start.line + 1}` : "";
    if (d.severity <= 1) bad++;
    console.log(`${severities[d.severity]}: ${d.code}: ${d.message} (${path.basename(file)}${line} ${where})`);
  }
  if (!document || bad) {
    console.log(`FAIL: ${bad} error(s)/warning(s) from the AsyncAPI parser`);
    process.exit(1);
  }
  // Examples against the dereferenced header and payload schemas.
  const Ajv = require(path.join(path.dirname(require.resolve("ajv", { paths: [parserDir] })), "..")).default;
  const addFormats = require(require.resolve("ajv-formats", { paths: [parserDir] }));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("binary", true);
  let examples = 0;
  for (const m of document.allMessages()) {
    const ex = m.examples().all();
    if (!ex.length) { bad++; console.log(`error: message ${m.id()} has no example`); }
    for (const e of ex) {
      examples++;
      for (const [part, schema, value] of [["payload", m.payload(), e.payload()], ["headers", m.headers(), e.headers()]]) {
        if (!schema || value === undefined) continue;
        const validate = ajv.compile(clean(schema.json()));
        if (!validate(value)) {
          bad++;
          for (const err of validate.errors) {
            console.log(`error: message ${m.id()} example '${e.name()}' ${part}${err.instancePath}: ${err.message}`);
          }
        }
      }
    }
  }
  if (bad) { console.log(`FAIL: ${bad} problem(s) in the examples`); process.exit(1); }
  const msgs = document.allMessages().length;
  console.log(`asyncapi: ${document.version()} document valid: ${document.allChannels().length} channels, ` +
    `${document.allOperations().length} operations, ${msgs} messages, ${examples} examples valid against their schemas`);
}
main().catch((e) => { console.log(`FAIL: ${e.stack || e}`); process.exit(1); });
