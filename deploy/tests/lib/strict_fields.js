// Unknown-field check for objects validated with kubernetes-models.
//
// The models' validators (compiled JSON schemas) accept any extra property,
// as Kubernetes' OpenAPI schemas do; the API server with strict field
// validation (kubectl's default is to warn) rejects them. A misspelt field
// (`readOnlyRootFilesytem`) would otherwise pass silently. This walks an
// object along the models' TypeScript declarations (.d.ts, shipped with the
// pinned packages) and reports every property that the type does not declare.
"use strict";
const fs = require("fs");
const path = require("path");

const NODE_MODULES = path.resolve(__dirname, "../../../node_modules");

// ---- a tokenizer and parser for the subset of TypeScript the .d.ts use ----
function tokenize(src) {
  src = src.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  const tokens = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_$][\w$]*)|(-?\d+(?:\.\d+)?)|(\S))/y;
  let m;
  while (re.lastIndex < src.length && (m = re.exec(src))) {
    if (m[1] !== undefined) tokens.push({ t: "str", v: JSON.parse(m[1].replace(/^'|'$/g, '"')) });
    else if (m[2] !== undefined) tokens.push({ t: "id", v: m[2] });
    else if (m[3] !== undefined) tokens.push({ t: "num", v: m[3] });
    else if (m[4] !== undefined) tokens.push({ t: "p", v: m[4] });
  }
  return tokens;
}

class Parser {
  constructor(tokens) { this.k = tokens; this.i = 0; }
  peek(o = 0) { return this.k[this.i + o]; }
  next() { return this.k[this.i++]; }
  is(v, o = 0) { const t = this.peek(o); return t && t.v === v && (t.t === "p" || t.t === "id"); }
  eat(v) { if (!this.is(v)) throw new Error(`expected ${v} at token ${this.i}: ${JSON.stringify(this.peek())}`); return this.next(); }
  type() {
    const alts = [this.primary()];
    while (this.is("|")) { this.next(); alts.push(this.primary()); }
    return alts.length === 1 ? alts[0] : { k: "union", alts };
  }
  primary() {
    const t = this.next();
    let ty;
    if (t.t === "str" || t.t === "num") ty = { k: "lit" };
    else if (t.v === "(") { ty = this.type(); this.eat(")"); }
    else if (t.v === "{") { this.i--; ty = this.object(); }
    else if (t.t === "id" && ["string", "number", "boolean", "any", "unknown", "null", "undefined", "object", "true", "false"].includes(t.v)) {
      ty = { k: t.v === "any" || t.v === "unknown" || t.v === "object" ? "any" : "prim" };
    } else if (t.t === "id" && t.v === "Array" && this.is("<")) {
      this.next(); const el = this.type(); this.eat(">"); ty = { k: "array", el };
    } else if (t.t === "id") {
      let name = t.v;
      while (this.is(".")) { this.next(); name += "." + this.next().v; }
      if (this.is("<")) { // generic arguments: ignored
        let depth = 0;
        do { const x = this.next(); if (x.v === "<") depth++; else if (x.v === ">") depth--; } while (depth > 0);
      }
      ty = { k: "ref", name };
    } else {
      throw new Error(`unexpected token ${JSON.stringify(t)}`);
    }
    while (this.is("[")) {
      this.next();
      if (this.is("]")) { this.next(); ty = { k: "array", el: ty }; continue; }
      const key = this.next(); this.eat("]");
      ty = { k: "index", of: ty, key: key.v };
    }
    return ty;
  }
  object() {
    this.eat("{");
    const props = {};
    let indexed = null;
    while (!this.is("}")) {
      if (this.is("[")) {
        this.next(); this.next(); this.eat(":"); this.type(); this.eat("]"); this.eat(":");
        indexed = this.type();
      } else {
        const key = this.next().v;
        if (this.is("?")) this.next();
        if (this.is("(")) { // a method: skip to ';'
          while (!this.is(";")) this.next();
        } else {
          this.eat(":");
          props[key] = this.type();
        }
      }
      if (this.is(";") || this.is(",")) this.next();
    }
    this.eat("}");
    return { k: "object", props, indexed };
  }
}

const fileCache = new Map();

function resolveModule(spec, fromFile) {
  if (spec.startsWith(".")) return path.resolve(path.dirname(fromFile), spec) + ".d.ts";
  const file = path.join(NODE_MODULES, spec + ".d.ts");
  return fs.existsSync(file) ? file : null;
}

// Declarations of one .d.ts: local interfaces/types, imports and exports.
function loadFile(file) {
  if (fileCache.has(file)) return fileCache.get(file);
  const info = { file, decls: {}, imports: {}, exports: {} };
  fileCache.set(file, info);
  const p = new Parser(tokenize(fs.readFileSync(file, "utf8")));
  while (p.peek()) {
    if (p.is("import") && p.is("{", 1)) {
      p.next(); p.next();
      const names = [];
      while (!p.is("}")) {
        const a = p.next().v; let b = a;
        if (p.is("as")) { p.next(); b = p.next().v; }
        names.push([a, b]);
        if (p.is(",")) p.next();
      }
      p.eat("}"); p.eat("from");
      const from = p.next().v;
      for (const [a, b] of names) info.imports[b] = { from, name: a };
    } else if (p.is("export") && p.is("{", 1)) {
      p.next(); p.next();
      while (!p.is("}")) {
        const a = p.next().v; let b = a;
        if (p.is("as")) { p.next(); b = p.next().v; }
        info.exports[b] = a;
        if (p.is(",")) p.next();
      }
      p.next();
    } else if (p.is("interface")) {
      p.next();
      const name = p.next().v;
      const bases = [];
      if (p.is("extends")) {
        p.next();
        while (!p.is("{")) { const x = p.next(); if (x.t === "id") bases.push(x.v); }
      }
      const obj = p.object();
      obj.bases = bases;
      info.decls[name] = obj;
    } else if (p.is("type") && p.peek(1) && p.peek(1).t === "id" && p.is("=", 2)) {
      p.next();
      const name = p.next().v;
      p.eat("=");
      info.decls[name] = p.type();
    } else if (p.is("class")) {
      // skip the class body (its members repeat the interface)
      while (!p.is("{")) p.next();
      let depth = 0;
      do { const x = p.next(); if (x.v === "{") depth++; else if (x.v === "}") depth--; } while (depth > 0);
    } else {
      p.next();
    }
  }
  return info;
}

// Resolves a name visible in `file` to [type, file it is declared in].
function lookup(name, file) {
  const info = loadFile(file);
  const local = info.exports[name] || name;
  if (info.decls[local]) return [info.decls[local], file];
  const imp = info.imports[name];
  if (imp) {
    const target = resolveModule(imp.from, file);
    if (!target) return [{ k: "any" }, file];
    return lookup(imp.name, target);
  }
  return [{ k: "any" }, file];
}

// Appends to `problems` every property of `data` the type does not declare.
function check(data, type, file, where, problems, depth = 0) {
  if (depth > 60 || data === null || data === undefined) return;
  switch (type.k) {
    case "ref": {
      const [t, f] = lookup(type.name, file);
      check(data, t, f, where, problems, depth + 1);
      return;
    }
    case "index": {
      const [t, f] = type.of.k === "ref" ? lookup(type.of.name, file) : [type.of, file];
      if (t.k === "object" && t.props[type.key]) check(data, t.props[type.key], f, where, problems, depth + 1);
      return;
    }
    case "array":
      if (Array.isArray(data)) data.forEach((x, i) => check(x, type.el, file, `${where}[${i}]`, problems, depth + 1));
      return;
    case "union": {
      const objects = type.alts.filter((a) => a.k !== "prim" && a.k !== "lit");
      if (typeof data === "object" && objects.length === 1) check(data, objects[0], file, where, problems, depth + 1);
      return;
    }
    case "object": {
      if (typeof data !== "object" || Array.isArray(data)) return;
      for (const [key, value] of Object.entries(data)) {
        const pt = type.props[key];
        if (pt) check(value, pt, file, `${where}.${key}`, problems, depth + 1);
        else if (type.indexed) check(value, type.indexed, file, `${where}.${key}`, problems, depth + 1);
        else if (!(type.bases || []).includes("TypeMeta") || !["apiVersion", "kind"].includes(key)) {
          problems.push(`${where}.${key}: unknown field`);
        }
      }
      return;
    }
    default:
      return;
  }
}

// Unknown fields of a Kubernetes object whose model lives in `modelFile`
// (the .d.ts of the kind, e.g. kubernetes-models/apps/v1/StatefulSet.d.ts).
function unknownFields(obj, modelFile, kind) {
  const problems = [];
  const [type, file] = lookup(`I${kind}`, modelFile);
  if (type.k === "any") return [`no type declaration I${kind} in ${modelFile}`];
  check(obj, type, file, "", problems);
  return problems;
}

module.exports = { unknownFields, NODE_MODULES };
