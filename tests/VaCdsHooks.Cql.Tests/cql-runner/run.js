#!/usr/bin/env node
// Executes a CQL library's ELM JSON against FHIR R4 patient Bundles with cql-execution + cql-exec-fhir.
// Usage: node run.js <elm.json> <valueset-directory> <bundle.json>...
// Prints one JSON object: { "<bundle path>": { "<definition>": value, ... }, ... }. Dates print as
// "YYYY-MM-DD", codes as { system, code, display }, resources as their id; lists element by element.
// ValueSets are read from <valueset-directory>/*.json and expanded here: enumerated concepts, included
// ValueSets, excludes, and code regex filters that describe a finite set (character classes, groups,
// ?, {m,n}); anything else (a whole code system, an unbounded pattern) is an error, never a silent miss.
'use strict';

const fs = require('fs');
const path = require('path');
const cql = require('cql-execution');
const cqlfhir = require('cql-exec-fhir');

const MAX_CODES = 200000;

function fail(message) {
  process.stderr.write(message + '\n');
  process.exit(2);
}

// ---- finite regular expressions -> every string they match -------------------------------------

function expandRegex(pattern) {
  let pos = 0;
  const peek = () => pattern[pos];
  const unsupported = (what) => {
    throw new Error(`regex "${pattern}" cannot be enumerated: ${what} at ${pos}`);
  };
  const cross = (left, right) => {
    const out = new Set();
    for (const a of left) for (const b of right) out.add(a + b);
    if (out.size > MAX_CODES) unsupported('too many codes');
    return out;
  };
  function alternation() {
    let result = new Set(sequence());
    while (peek() === '|') {
      pos++;
      for (const s of sequence()) result.add(s);
    }
    return result;
  }
  function sequence() {
    let result = new Set(['']);
    while (pos < pattern.length && peek() !== '|' && peek() !== ')') {
      result = cross(result, quantified());
    }
    return result;
  }
  function quantified() {
    const atomSet = atom();
    let min = 1;
    let max = 1;
    if (peek() === '?') {
      pos++;
      min = 0;
    } else if (peek() === '{') {
      const m = /^\{(\d+)(,(\d+))?\}/.exec(pattern.slice(pos));
      if (!m) unsupported('quantifier');
      pos += m[0].length;
      min = Number(m[1]);
      max = m[2] ? Number(m[3]) : min;
    } else if (peek() === '*' || peek() === '+') {
      unsupported('unbounded quantifier');
    }
    const out = new Set();
    let power = new Set(['']);
    for (let n = 0; n <= max; n++) {
      if (n >= min) for (const s of power) out.add(s);
      power = cross(power, atomSet);
    }
    return out;
  }
  function atom() {
    const c = pattern[pos++];
    if (c === '(') {
      if (pattern.startsWith('?:', pos)) pos += 2;
      const inner = alternation();
      if (pattern[pos++] !== ')') unsupported('unclosed group');
      return inner;
    }
    if (c === '[') return charClass();
    if (c === '\\') {
      const e = pattern[pos++];
      if (/[dDwWsSbB]/.test(e)) unsupported('character escape \\' + e);
      return new Set([e]);
    }
    if (c === '.' || c === '^' || c === '$') unsupported(`"${c}"`);
    return new Set([c]);
  }
  function charClass() {
    if (peek() === '^') unsupported('negated class');
    const out = new Set();
    while (peek() !== ']') {
      if (pos >= pattern.length) unsupported('unclosed class');
      let c = pattern[pos++];
      if (c === '\\') c = pattern[pos++];
      if (peek() === '-' && pattern[pos + 1] !== ']') {
        pos++;
        let end = pattern[pos++];
        if (end === '\\') end = pattern[pos++];
        for (let x = c.charCodeAt(0); x <= end.charCodeAt(0); x++) out.add(String.fromCharCode(x));
      } else {
        out.add(c);
      }
    }
    pos++;
    return out;
  }
  const result = alternation();
  if (pos !== pattern.length) unsupported('unexpected ")"');
  return result;
}

// ---- ValueSets -> cql CodeService ------------------------------------------------------------------

function loadValueSets(directory) {
  const byUrl = new Map();
  for (const file of fs.readdirSync(directory).filter((f) => f.endsWith('.json')).sort()) {
    const vs = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));
    if (vs.resourceType === 'ValueSet' && vs.url) byUrl.set(vs.url, vs);
  }
  return byUrl;
}

function expandValueSet(url, byUrl, stack = []) {
  const vs = byUrl.get(url);
  if (!vs) throw new Error(`ValueSet ${url} not found`);
  if (stack.includes(url)) throw new Error(`ValueSet cycle: ${[...stack, url].join(' -> ')}`);
  const key = (c) => c.system + '|' + c.code;
  const part = (component) => {
    const codes = new Map();
    const sets = (component.valueSet || []).map((u) => expandValueSet(u, byUrl, [...stack, url]));
    let own = null;
    if (component.system) {
      own = new Map();
      if (component.concept) {
        for (const c of component.concept) own.set(key({ system: component.system, code: c.code }), { system: component.system, code: c.code, version: component.version, display: c.display });
      }
      for (const f of component.filter || []) {
        if (f.property !== 'code' || f.op !== 'regex') throw new Error(`${url}: filter ${f.property} ${f.op} cannot be expanded`);
        for (const code of expandRegex(f.value)) own.set(key({ system: component.system, code }), { system: component.system, code, version: component.version });
      }
      if (!component.concept && !component.filter) throw new Error(`${url}: all of ${component.system} cannot be expanded`);
    }
    // Components are intersected: the system's codes (if any) that are in every listed ValueSet.
    const candidates = own ?? (sets.length > 0 ? sets[0] : new Map());
    for (const [k, v] of candidates) {
      if (sets.every((s) => s.has(k))) codes.set(k, v);
    }
    return codes;
  };
  const result = new Map();
  for (const include of vs.compose?.include || []) for (const [k, v] of part(include)) result.set(k, v);
  for (const exclude of vs.compose?.exclude || []) for (const k of part(exclude).keys()) result.delete(k);
  return result;
}

function codeService(library, byUrl) {
  const valueSets = {};
  for (const def of library.library.valueSets?.def || []) {
    const codes = [...expandValueSet(def.id, byUrl).values()];
    const version = byUrl.get(def.id).version || '';
    valueSets[def.id] = { [version]: codes };
  }
  return new cql.CodeService(valueSets);
}

// ---- results -> JSON ------------------------------------------------------------------------------

function plain(value) {
  if (value == null) return null;
  if (Array.isArray(value)) return value.map(plain);
  if (value.isDate || value.isDateTime) return value.toString();
  if (value.isCode) return { system: value.system ?? null, code: value.code ?? null, display: value.display ?? null };
  if (value.isQuantity) return { value: value.value, unit: value.unit };
  if (value._json !== undefined && typeof value.getTypeInfo === 'function') {
    return value._json && value._json.resourceType ? `${value._json.resourceType}/${value._json.id}` : value._json;
  }
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

async function main() {
  const [elmPath, valueSetDir, ...bundles] = process.argv.slice(2);
  if (!elmPath || !valueSetDir || bundles.length === 0) fail('usage: node run.js <elm.json> <valueset-directory> <bundle.json>...');
  const elm = JSON.parse(fs.readFileSync(elmPath, 'utf8'));
  const library = new cql.Library(elm);
  const executor = new cql.Executor(library, codeService(elm, loadValueSets(valueSetDir)));
  const output = {};
  for (const bundlePath of bundles) {
    const bundle = JSON.parse(fs.readFileSync(bundlePath, 'utf8'));
    const source = cqlfhir.PatientSource.FHIRv401();
    source.loadBundles([bundle]);
    const results = await executor.exec(source);
    const patientResults = Object.values(results.patientResults)[0] || {};
    output[bundlePath] = Object.fromEntries(
      Object.entries(patientResults).filter(([name]) => name !== 'Patient').map(([name, value]) => [name, plain(value)]),
    );
  }
  process.stdout.write(JSON.stringify(output, null, 2) + '\n');
}

main().catch((error) => fail(error && error.stack ? error.stack : String(error)));
