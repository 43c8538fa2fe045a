#!/usr/bin/env node
// Validates rendered kustomize output offline (deploy/k8s/validate.sh renders, this checks).
//
//   node validate.js <overlay-name>=<rendered.yaml> ...
//
// 1. Schema: every core Kubernetes object against the JSON schema of its apiVersion/kind
//    from npm kubernetes-models (compiled ajv validators); mariadb-operator CRs against
//    crd-schemas.json (ajv, every object closed). An apiVersion/kind with no schema fails.
// 2. Unknown keys: kubernetes-models' schemas do NOT set additionalProperties:false (the
//    OpenAPI spec they come from does not), so a misspelled key would pass. The object is
//    therefore validated through a Proxy that records every property the schema validator
//    looks up; the compiled validator reads each property its schema declares (and every
//    key of a free-form map such as labels), so any key it never looked at is unknown to
//    the schema and fails. Objects the schema leaves completely opaque are counted.
// 3. Policy: the deployment rules of this repository (gRPC probes, restricted security
//    context, resources, references, ...), see checkPolicy().
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const Ajv = require('ajv');

const modelsDir = path.dirname(require.resolve('kubernetes-models/package.json'));
const metaSchemaFile = path.join(path.dirname(require.resolve('@kubernetes-models/apimachinery/package.json')),
  '_schemas', 'IoK8sApimachineryPkgApisMetaV1ObjectMeta.js');

// Objects that an overlay references but that are created outside git on purpose.
const EXTERNAL = {
  production: {
    Secret: {
      'ibm-registry-jwt': 'IdP public keys, made by the operators of the cluster',
      'ibm-registry-mariadb-password': 'DB password of the registry user, made by the operators',
      'ibm-registry-mariadb-dsn': 'written by mariadb-operator from the Connection CR',
      'ibm-registry-field-keys': 'field-encryption keys, made and kept by the operators',
      'ibm-region-import-token': 'service JWT of BNN central for the region import, from the IdP',
      'ibm-cases-mariadb-password': 'DB password of the cases user, made by the operators',
      'ibm-cases-mariadb-dsn': 'written by mariadb-operator from the Connection CR',
      'ibm-cases-field-keys': 'the cases service\'s field-encryption keys, made and kept by the operators',
      'ibm-cases-nik-index-keys': 'the NIK index\'s HMAC keys, made and kept by the operators apart from the field keys',
    },
  },
};
// Settings without which a server refuses to start, by program (the command's basename):
// the platform's --field_keys for services that seal fields (ServiceSpec::seals_fields),
// cases' --registry and --nik_index_keys (services/cases/service.cc).
const REQUIRED_SETTINGS = {
  'ibm-registry': ['IBM_FIELD_KEYS'],
  'ibm-cases': ['IBM_FIELD_KEYS', 'IBM_NIK_INDEX_KEYS', 'IBM_REGISTRY'],
};
// Key files the server opens with CheckKeyFileAccess (services/common/base/sealing.cc): it
// refuses a file that others may access, or that a group other than its own may access.
// Each must come from a Secret of its own (the NIK index's custody is apart from the field
// keys'), and no two services share one.
const KEY_FILE_SETTINGS = ['IBM_FIELD_KEYS', 'IBM_NIK_INDEX_KEYS'];
// Settings that name another service of the suite (host:port) that this server calls.
const PEER_SETTINGS = ['IBM_REGISTRY'];
// What each overlay must come out as.
const EXPECT = {
  dev: { replicas: 1, sqlite: true, devAuth: true },
  production: { minReplicas: 3, digest: true, devAuth: false, mariadb: true, noSecrets: true },
};

// ---------------------------------------------------------------------------------------
// Schema validation with unknown-key detection.

const schemaCache = new Map();
function coreValidator(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (schemaCache.has(key)) return schemaCache.get(key);
  let fn = null;
  const modelFile = path.join(modelsDir, apiVersion, `${kind}.js`);
  if (/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind) && fs.existsSync(modelFile)) {
    const m = /_schemas\/(IoK8s[A-Za-z0-9]+)/.exec(fs.readFileSync(modelFile, 'utf8'));
    if (m) fn = require(path.join(modelsDir, '_schemas', `${m[1]}.js`)).validate;
  }
  schemaCache.set(key, fn);
  return fn;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const crd = JSON.parse(fs.readFileSync(path.join(__dirname, 'crd-schemas.json'), 'utf8'));
const crdValidators = {};
for (const [kind, spec] of Object.entries(crd.kinds)) {
  crdValidators[`k8s.mariadb.com/v1alpha1/${kind}`] = ajv.compile({
    $id: `k8s.mariadb.com/v1alpha1/${kind}`,
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { const: 'k8s.mariadb.com/v1alpha1' },
      kind: { const: kind },
      metadata: { type: 'object' }, // checked with the Kubernetes ObjectMeta schema below
      spec: spec,
    },
    definitions: crd.definitions,
  });
}
const metaValidate = require(metaSchemaFile).validate;

// Runs validate(data) on a recording proxy; returns [schemaErrors, unknownKeyPaths, opaque].
function validateStrict(validate, data) {
  const seen = new WeakMap();
  const proxies = new WeakMap();
  const wrap = (v) => {
    if (v === null || typeof v !== 'object') return v;
    if (proxies.has(v)) return proxies.get(v);
    const keys = new Set();
    seen.set(v, keys);
    const p = new Proxy(v, {
      get(t, k, r) { if (typeof k === 'string') keys.add(k); return wrap(Reflect.get(t, k, r)); },
      has(t, k) { if (typeof k === 'string') keys.add(k); return Reflect.has(t, k); },
      getOwnPropertyDescriptor(t, k) { if (typeof k === 'string') keys.add(k); return Reflect.getOwnPropertyDescriptor(t, k); },
    });
    proxies.set(v, p);
    return p;
  };
  const ok = validate(wrap(data));
  const errors = ok ? [] : (validate.errors || []).map((e) => `${e.instancePath || '/'} ${e.message || e.keyword} ${JSON.stringify(e.params)}`);
  const unknown = [];
  let opaque = 0;
  const walk = (v, at) => {
    if (v === null || typeof v !== 'object') return;
    const keys = seen.get(v);
    if (!keys) { if (Object.keys(v).length) opaque++; return; }
    if (Array.isArray(v)) { v.forEach((x, i) => walk(x, `${at}/${i}`)); return; }
    for (const k of Object.keys(v)) {
      if (!keys.has(k)) unknown.push(`${at}/${k}`);
      else walk(v[k], `${at}/${k}`);
    }
  };
  walk(data, '');
  return [errors, unknown, opaque];
}

function schemaCheck(obj) {
  const { apiVersion, kind } = obj;
  const problems = [];
  let opaque = 0;
  const run = (validate, data, prefix) => {
    const [errs, unknown, op] = validateStrict(validate, data);
    opaque += op;
    errs.forEach((e) => problems.push(`schema: ${prefix}${e}`));
    unknown.forEach((u) => problems.push(`unknown key ${prefix}${u}`));
  };
  const crdValidate = crdValidators[`${apiVersion}/${kind}`];
  if (crdValidate) {
    if (!crdValidate(obj)) crdValidate.errors.forEach((e) => problems.push(`schema: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`));
    run(metaValidate, obj.metadata || {}, '/metadata');
  } else {
    const validate = coreValidator(apiVersion, kind);
    if (!validate) problems.push(`no schema for ${apiVersion} ${kind} (not core Kubernetes, not a known CR)`);
    else run(validate, kind === 'Secret' ? unwrapSecretData(obj) : obj, '');
  }
  return [problems, opaque];
}

// kustomize's secretGenerator wraps base64 values longer than 70 columns. The API server
// decodes them with Go's encoding/base64, which skips line breaks; kubernetes-models' "byte"
// format does not, so validate a copy with the breaks removed (anything else still fails).
function unwrapSecretData(secret) {
  if (!secret.data) return secret;
  const data = Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\r?\n/g, '') : v]));
  return { ...secret, data };
}

// ---------------------------------------------------------------------------------------
// Development authentication. The servers parse their flags with Abseil and also read each
// flag from IBM_<FLAG> (services/common/platform/server_main.cc, ArgsWithEnvironment: a
// non-empty value becomes --<flag>=<value> ahead of the command line, so the command line
// wins). Outside the dev overlay neither flag may be on by any channel; in a dev pod the
// server listens on 0.0.0.0, so dev auth needs the non-loopback allowance too.

const DEV_AUTH_FLAGS = [
  ['insecure_dev_auth', 'insecure dev auth'],
  ['insecure_dev_auth_allow_non_loopback', 'dev auth on a non-loopback address'],
];
const envVarForFlag = (flag) => `IBM_${flag.toUpperCase()}`;
const ABSL_BOOLS = 'true/false, t/f, yes/no, y/n, 1/0';

// absl/flags/marshalling.cc AbslParseFlag(bool): ASCII whitespace stripped, then
// case-insensitively 1/t/true/y/yes or 0/f/false/n/no; anything else stops the server.
function abslBool(text) {
  const s = String(text).replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '').toLowerCase();
  if (['1', 't', 'true', 'y', 'yes'].includes(s)) return 'on';
  if (['0', 'f', 'false', 'n', 'no'].includes(s)) return 'off';
  return 'invalid';
}

// The kubelet's $(VAR) expansion of env values, command and args: $$ is a literal $, an
// undefined $(VAR) stays as written. Returns [text, uses a value not rendered here].
function expandVars(s, env) {
  let unknown = false;
  const text = String(s).replace(/\$\$|\$\(([^)]*)\)/g, (m, name) => {
    if (m === '$$') return '$';
    const v = env.get(name);
    if (!v) return m;
    if (v.value === null) { unknown = true; return m; }
    return v.value;
  });
  return [text, unknown];
}

// The environment the kubelet gives container c: envFrom in order, then env in order, a
// later name replacing an earlier one. name -> {value, via}; value is null when it comes
// from something not rendered here (an external Secret, a fieldRef, ...). The keys of an
// envFrom object that is not rendered are unknown and left out.
function containerEnv(c, find) {
  const dataOf = (kind, name) => {
    const x = find(kind, name);
    if (!x) return null;
    if (kind === 'ConfigMap') return x.data || {};
    const d = Object.fromEntries(Object.entries(x.data || {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]));
    return { ...d, ...(x.stringData || {}) };
  };
  const env = new Map();
  for (const e of c.envFrom || []) {
    const kind = e.configMapRef ? 'ConfigMap' : e.secretRef ? 'Secret' : null;
    if (!kind) continue;
    const ref = e.configMapRef || e.secretRef;
    const prefix = e.prefix || '';
    for (const [k, v] of Object.entries(dataOf(kind, ref.name) || {})) {
      env.set(`${prefix}${k}`, { value: String(v), via: `envFrom ${kind} ${ref.name}${prefix ? ` (prefix ${prefix})` : ''} key ${k}="${v}"` });
    }
  }
  for (const e of c.env || []) {
    const vf = e.valueFrom;
    if (!vf) {
      const raw = e.value === undefined ? '' : String(e.value);
      const [text, unknown] = expandVars(raw, env);
      env.set(e.name, { value: unknown ? null : text, via: `env ${e.name}="${raw}"` + (text !== raw && !unknown ? ` (expands to "${text}")` : '') });
      continue;
    }
    const ref = vf.configMapKeyRef || vf.secretKeyRef;
    if (!ref) { env.set(e.name, { value: null, via: `env ${e.name} valueFrom ${Object.keys(vf).join(',')}` }); continue; }
    const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
    const data = dataOf(kind, ref.name);
    const v = data && data[ref.key];
    // A key missing from a rendered object: optional leaves the variable out, else the container never starts.
    if (data && v === undefined) continue;
    env.set(e.name, { value: data ? String(v) : null, via: `env ${e.name} from ${kind} ${ref.name} key ${ref.key}` + (data ? `="${v}"` : '') });
  }
  return env;
}

// The words of the container's command line after $(VAR) expansion. An element that is a
// shell script (a word with spaces, as in sh -c "...") is split into words, quotes dropped.
function commandWords(c, env) {
  const words = [];
  for (const field of ['command', 'args']) {
    for (const x of c[field] || []) {
      const [text, unknown] = expandVars(x, env);
      const split = !text.startsWith('-') && /\s/.test(text);
      const parts = split ? text.split(/\s+/).map((w) => w.replace(/["']/g, '')) : [text];
      const from = text !== String(x) || split ? ` (from "${x}")` : '';
      for (const w of parts) words.push({ w, unknown, via: `${field} "${w}"${from}` });
    }
  }
  return words;
}

// Every setting of bool flag `flag`, in the order the server applies them (the last wins):
// [{via, value, state, why}], state 'on' | 'off' | 'invalid' (the server exits) | 'unknown'.
// Abseil reads -flag and --flag, --flag=<v>, bare --flag (true), --noflag (false), and
// --fromenv/--tryfromenv=<flags> (from FLAGS_<flag>).
function flagSettings(flag, env, words) {
  const out = [];
  const add = (via, value, why) => out.push({ via, value, why, state: value === null ? 'unknown' : abslBool(value) });
  const fromEnv = env.get(envVarForFlag(flag));
  if (fromEnv && fromEnv.value !== '') add(fromEnv.via, fromEnv.value);
  for (let i = 0; i < words.length; i++) {
    const { w, unknown, via } = words[i];
    const m = /^--?([^=-][^=]*)(?:=([\s\S]*))?$/.exec(w);
    if (!m) continue;
    const [, name, value] = m;
    if (name === flag) add(via, unknown ? null : value === undefined ? 'true' : value, value === undefined ? 'a bool flag without a value is true' : undefined);
    else if (name === `no${flag}`) out.push({ via, value, state: value === undefined ? 'off' : 'invalid', why: 'with a value, which its "no" form does not take' });
    else if (name === 'fromenv' || name === 'tryfromenv') {
      const list = value !== undefined ? value : (words[++i] || {}).w || '';
      if (!list.split(',').includes(flag)) continue;
      const v = env.get(`FLAGS_${flag}`);
      if (v) add(`${via} reading FLAGS_${flag}, ${v.via}`, v.value);
      else if (name === 'fromenv') out.push({ via, value: '', state: 'invalid', why: `from FLAGS_${flag}, which is not set` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Policy checks.

function parseDuration(s) {
  const m = /^([0-9]+)(ms|s|m|h)$/.exec(String(s || ''));
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}

// A LabelSelector (matchLabels and matchExpressions) against a set of labels. A missing
// selector matches nothing here; an empty one ({}) matches everything, as in Kubernetes.
function selectorMatches(sel, labels) {
  if (!sel) return false;
  const l = labels || {};
  if (!Object.entries(sel.matchLabels || {}).every(([k, v]) => l[k] === v)) return false;
  return (sel.matchExpressions || []).every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(l, key);
    if (operator === 'In') return has && (values || []).includes(l[key]);
    if (operator === 'NotIn') return !has || !(values || []).includes(l[key]);
    if (operator === 'Exists') return has;
    if (operator === 'DoesNotExist') return !has;
    return false;
  });
}

// The port a container port reference (number or name) stands for in pod template t, or
// null when no container of t has it.
function resolvePort(t, port) {
  for (const c of [...(t.spec.initContainers || []), ...t.spec.containers]) {
    for (const p of c.ports || []) {
      if (typeof port === 'number' ? p.containerPort === port : p.name === port) return p.containerPort;
    }
  }
  return null;
}

// Whether the NetworkPolicies of pods labelled `subject` let TCP `port` through in
// `direction` ('Ingress': from pods labelled `peer`; 'Egress': to them), same namespace.
// `template` is the pod template that listens on `port` (it resolves named ports).
function policyAllows(objs, direction, subject, peer, port, template) {
  const types = (n) => n.spec.policyTypes || ['Ingress', ...(n.spec.egress ? ['Egress'] : [])];
  const policies = objs.filter((n) => n.kind === 'NetworkPolicy' && selectorMatches(n.spec.podSelector, subject) &&
    types(n).includes(direction));
  if (!policies.length) return true; // not isolated in that direction
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  const peers = direction === 'Ingress' ? 'from' : 'to';
  return policies.some((n) => (n.spec[field] || []).some((r) => {
    const peerOk = !r[peers] || r[peers].some((x) => !x.namespaceSelector && !x.ipBlock && selectorMatches(x.podSelector, peer));
    const portOk = !r.ports || r.ports.some((p) => (p.protocol || 'TCP') === 'TCP' &&
      (p.port === undefined || (typeof p.port === 'number' ? p.port === port : template && resolvePort(template, p.port) === port)));
    return peerOk && portOk;
  }));
}

function podTemplates(objs) {
  const out = [];
  for (const o of objs) {
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)) out.push([o, o.spec.template]);
    if (o.kind === 'CronJob') out.push([o, o.spec.jobTemplate.spec.template]);
  }
  return out;
}

function checkPolicy(overlay, objs) {
  const problems = [];
  const fail = (o, msg) => problems.push(`${o.kind}/${o.metadata.name}: ${msg}`);
  const byKind = (k) => objs.filter((o) => o.kind === k);
  const find = (k, n) => objs.find((o) => o.kind === k && o.metadata.name === n);
  const external = (k, n) => Boolean(((EXTERNAL[overlay] || {})[k] || {})[n]);
  const expect = EXPECT[overlay] || {};
  const matches = (sel, labels) => selectorMatches(sel, labels);
  const requireRef = (o, kind, name, what) => {
    if (!find(kind, name) && !external(kind, name)) fail(o, `${what} refers to ${kind} ${name}, which is neither rendered nor a known external object`);
  };

  const keySecrets = new Map(); // Secret name -> [{owner, setting}]
  for (const [o, t] of podTemplates(objs)) {
    const ps = t.spec;
    const longRunning = o.kind !== 'Job' && o.kind !== 'CronJob';
    if (ps.automountServiceAccountToken !== false) fail(o, 'automountServiceAccountToken must be false');
    if (ps.serviceAccountName) {
      requireRef(o, 'ServiceAccount', ps.serviceAccountName, 'serviceAccountName');
      const sa = find('ServiceAccount', ps.serviceAccountName);
      if (sa && sa.automountServiceAccountToken !== false) fail(sa, 'automountServiceAccountToken must be false');
    }
    const psc = ps.securityContext || {};
    if ((psc.seccompProfile || {}).type !== 'RuntimeDefault') fail(o, 'pod seccompProfile must be RuntimeDefault');
    if (ps.hostNetwork || ps.hostPID || ps.hostIPC) fail(o, 'no host namespaces');
    const volumes = new Map((ps.volumes || []).map((v) => [v.name, v]));
    for (const v of volumes.values()) {
      if (v.hostPath) fail(o, `volume ${v.name}: hostPath not allowed`);
      if (v.secret) requireRef(o, 'Secret', v.secret.secretName, `volume ${v.name}`);
      if (v.configMap) requireRef(o, 'ConfigMap', v.configMap.name, `volume ${v.name}`);
      if (v.persistentVolumeClaim) requireRef(o, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName, `volume ${v.name}`);
    }
    const all = [...(ps.initContainers || []), ...ps.containers];
    for (const c of all) {
      const where = `container ${c.name}`;
      const sc = c.securityContext || {};
      if (sc.runAsNonRoot !== true && psc.runAsNonRoot !== true) fail(o, `${where}: runAsNonRoot must be true`);
      const uid = sc.runAsUser !== undefined ? sc.runAsUser : psc.runAsUser;
      if (uid === 0) fail(o, `${where}: runAsUser 0`);
      if (sc.allowPrivilegeEscalation !== false) fail(o, `${where}: allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true) fail(o, `${where}: readOnlyRootFilesystem must be true`);
      if (sc.privileged) fail(o, `${where}: privileged`);
      const caps = sc.capabilities || {};
      if (!(caps.drop || []).includes('ALL')) fail(o, `${where}: capabilities must drop ALL`);
      if ((caps.add || []).length) fail(o, `${where}: capabilities.add not allowed`);
      if (sc.seccompProfile && sc.seccompProfile.type !== 'RuntimeDefault') fail(o, `${where}: seccompProfile must be RuntimeDefault`);
      const r = c.resources || {};
      for (const k of ['cpu', 'memory']) {
        if (!(r.requests || {})[k]) fail(o, `${where}: resources.requests.${k} missing`);
        if (!(r.limits || {})[k]) fail(o, `${where}: resources.limits.${k} missing`);
      }
      if (/^ibm-suite(:latest)?$/.test(c.image)) fail(o, `${where}: image "${c.image}" is the logical name; the overlay must map it`);
      if (expect.digest && !/@sha256:[0-9a-f]{64}$/.test(c.image)) fail(o, `${where}: image must be pinned by digest in ${overlay}`);
      const tmp = (c.volumeMounts || []).find((m) => m.mountPath === '/tmp');
      if (!tmp || !(volumes.get(tmp.name) || {}).emptyDir) fail(o, `${where}: needs a writable emptyDir at /tmp`);
      for (const m of c.volumeMounts || []) if (!volumes.has(m.name)) fail(o, `${where}: mount of undeclared volume ${m.name}`);
      for (const e of c.envFrom || []) {
        if (e.configMapRef) requireRef(o, 'ConfigMap', e.configMapRef.name, `${where} envFrom`);
        if (e.secretRef) requireRef(o, 'Secret', e.secretRef.name, `${where} envFrom`);
      }
      for (const e of c.env || []) {
        const vf = e.valueFrom || {};
        if (vf.secretKeyRef) requireRef(o, 'Secret', vf.secretKeyRef.name, `${where} env ${e.name}`);
        if (vf.configMapKeyRef) requireRef(o, 'ConfigMap', vf.configMapKeyRef.name, `${where} env ${e.name}`);
        if (e.name === 'IBM_DB' && e.value !== undefined) fail(o, `${where}: IBM_DB must come from a Secret, not a literal`);
      }
      // Dev auth: off by every channel outside the dev overlay (an unrendered value counts
      // as on), never unparsable, and in dev never without the non-loopback allowance.
      const env = containerEnv(c, find);
      const words = commandWords(c, env);
      const last = {};
      for (const [flag, what] of DEV_AUTH_FLAGS) {
        const settings = flagSettings(flag, env, words);
        for (const s of settings) {
          if (s.state === 'invalid') fail(o, `${where}: ${s.via} sets --${flag} ${s.why || `to something Abseil cannot read as a bool (${ABSL_BOOLS})`}: the server would refuse to start`);
          else if (s.state === 'on' && !expect.devAuth) fail(o, `${where}: ${what} (--${flag}) switched on by ${s.via} (${s.why || `Abseil reads "${s.value}" as true`}); not allowed in ${overlay}`);
          else if (s.state === 'unknown' && !expect.devAuth) fail(o, `${where}: --${flag} set by ${s.via}, whose value is not rendered here; not allowed in ${overlay} (it could be true)`);
        }
        last[flag] = settings.length ? settings[settings.length - 1] : null;
      }
      for (const { w, via } of words) {
        if (/^--?flagfile(=|$)/.test(w) && !expect.devAuth) fail(o, `${where}: ${via}: the flags in that file are not rendered here (it could switch on insecure dev auth); not allowed in ${overlay}`);
      }
      const devAuth = last.insecure_dev_auth;
      const allow = last.insecure_dev_auth_allow_non_loopback;
      if (expect.devAuth && devAuth && devAuth.state === 'on' && !(allow && allow.state === 'on')) {
        fail(o, `${where}: insecure dev auth is on (${devAuth.via}) but --insecure_dev_auth_allow_non_loopback is not: ` +
          'a pod listens on 0.0.0.0 and the server would refuse to start (crash loop); set IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK=true next to it');
      }
      // A CLI Job talks to a server that checks tokens unless the overlay runs dev auth.
      const cli = (c.command || []).some((x) => /ibmctl$/.test(x));
      const token = (c.env || []).find((e) => e.name === 'IBM_TOKEN');
      if (cli && !expect.devAuth && !(token && (token.valueFrom || {}).secretKeyRef)) {
        fail(o, `${where}: ibmctl needs IBM_TOKEN from a Secret in ${overlay} (the registry checks JWTs)`);
      }
      // Settings the program cannot start without.
      const program = path.basename(String((c.command || [])[0] || ''));
      const setting = (name) => {
        const e = env.get(name);
        const flag = `--${name.slice(4).toLowerCase()}`;
        const w = words.find((x) => x.w.replace(/^-(?!-)/, '--').startsWith(`${flag}=`));
        if (w) { const value = w.unknown ? null : w.w.slice(w.w.indexOf('=') + 1); return { value, via: w.via, label: `${flag}=${value}` }; }
        return e && e.value !== '' ? { ...e, label: `${name}=${e.value}` } : null;
      };
      for (const name of REQUIRED_SETTINGS[program] || []) {
        if (!setting(name)) fail(o, `${where}: ${program} needs ${name} (--${name.slice(4).toLowerCase()}); without it the server refuses to start`);
      }
      // Key files: in a mounted Secret, not readable by others, group-readable through the
      // pod's fsGroup (Secret files belong to root), one Secret per key file and service.
      for (const name of KEY_FILE_SETTINGS) {
        const s = setting(name);
        if (!s || s.value === null) continue;
        const file = s.value;
        const m = (c.volumeMounts || []).filter((x) => file.startsWith(x.mountPath.replace(/\/?$/, '/')))
          .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
        const v = m && volumes.get(m.name);
        if (!v || !v.secret) { fail(o, `${where}: ${s.label} is not in a mounted Secret volume`); continue; }
        const rel = file.slice(m.mountPath.replace(/\/?$/, '/').length);
        const item = (v.secret.items || []).find((i) => i.path === rel);
        if (v.secret.items && !item) { fail(o, `${where}: ${s.label}: volume ${v.name} has no item ${rel}`); continue; }
        const key = item ? item.key : rel;
        const secret = find('Secret', v.secret.secretName);
        if (secret && !Object.prototype.hasOwnProperty.call({ ...(secret.data || {}), ...(secret.stringData || {}) }, key)) {
          fail(o, `${where}: ${s.label}: Secret ${v.secret.secretName} has no key ${key}`);
        }
        const mode = item && item.mode !== undefined ? item.mode : v.secret.defaultMode !== undefined ? v.secret.defaultMode : 0o644;
        if (mode & 0o007) fail(o, `${where}: ${s.label}: volume ${v.name} mode ${mode.toString(8).padStart(4, '0')} lets others read the key file; the server refuses it (use 0440)`);
        if (psc.fsGroup === undefined) fail(o, `${where}: ${s.label}: Secret files belong to root; without the pod's fsGroup user ${psc.runAsUser} cannot read them`);
        if (!keySecrets.has(v.secret.secretName)) keySecrets.set(v.secret.secretName, []);
        keySecrets.get(v.secret.secretName).push({ owner: `${o.kind}/${o.metadata.name}`, setting: name });
      }
      // Peers it calls (IBM_REGISTRY=<service>:<port>): a rendered Service with that port,
      // and NetworkPolicies that let this pod out and the peer's pods take the call.
      for (const name of PEER_SETTINGS) {
        const s = setting(name);
        if (!s || s.value === null) continue;
        const m = /^(?:dns:\/\/\/)?([a-z0-9-]+)(?:\.[a-z0-9.-]*)?:([0-9]+)$/.exec(s.value);
        const svc = m && find('Service', m[1]);
        const sp = svc && (svc.spec.ports || []).find((x) => x.port === Number(m[2]));
        if (!sp) { fail(o, `${where}: ${s.label} is not a port of a Service rendered here`); continue; }
        const targets = podTemplates(objs).filter(([, x]) => x.metadata.labels && Object.entries(svc.spec.selector || {}).every(([k, val]) => x.metadata.labels[k] === val));
        if (!targets.length) fail(o, `${where}: ${s.label}: Service ${svc.metadata.name} selects no pods rendered here`);
        for (const [to, tt] of targets) {
          const port = resolvePort(tt, sp.targetPort === undefined ? sp.port : sp.targetPort);
          if (port === null) { fail(o, `${where}: ${s.label}: Service ${svc.metadata.name} port ${sp.port} has no container port on ${to.kind}/${to.metadata.name}`); continue; }
          if (!policyAllows(objs, 'Egress', t.metadata.labels, tt.metadata.labels, port, tt)) fail(o, `${where}: ${s.label}: no NetworkPolicy lets its pods out to ${to.kind}/${to.metadata.name} port ${port}`);
          if (!policyAllows(objs, 'Ingress', tt.metadata.labels, t.metadata.labels, port, tt)) fail(o, `${where}: ${s.label}: no NetworkPolicy lets its pods into ${to.kind}/${to.metadata.name} port ${port}`);
        }
      }
      if (!longRunning) continue;
      // The addresses it serves on are its container ports.
      for (const name of ['IBM_LISTEN', 'IBM_METRICS_LISTEN']) {
        const s = setting(name);
        const port = s && s.value && Number((/:([0-9]+)$/.exec(s.value) || [])[1]);
        if (s && s.value && s.value !== 'off' && !(c.ports || []).some((x) => x.containerPort === port)) fail(o, `${where}: ${name}=${s.value}: port ${port} is not a container port`);
      }
      // Servers: native gRPC probes on an integer port, "" = readiness, "liveness" = liveness.
      const grpcProbe = (p, name, service) => {
        if (!p) return fail(o, `${where}: ${name} missing`);
        if (p.httpGet || p.tcpSocket || p.exec) fail(o, `${where}: ${name} must be a grpc probe`);
        if (!p.grpc) return fail(o, `${where}: ${name} must be a grpc probe`);
        if (!Number.isInteger(p.grpc.port)) fail(o, `${where}: ${name} grpc.port must be an integer`);
        const svc = p.grpc.service === undefined ? '' : p.grpc.service;
        if (service !== null && svc !== service) fail(o, `${where}: ${name} must ask health service "${service}", not "${svc}"`);
        const ports = (c.ports || []).map((x) => x.containerPort);
        if (!ports.includes(p.grpc.port)) fail(o, `${where}: ${name} port ${p.grpc.port} is not a container port`);
      };
      grpcProbe(c.readinessProbe, 'readinessProbe', '');
      grpcProbe(c.livenessProbe, 'livenessProbe', 'liveness');
      grpcProbe(c.startupProbe, 'startupProbe', null);
      // Drain on SIGTERM: the grace period must outlast --shutdown_grace.
      let grace = null;
      for (const e of c.envFrom || []) {
        const cm = e.configMapRef && find('ConfigMap', e.configMapRef.name);
        if (cm && cm.data && cm.data.IBM_SHUTDOWN_GRACE) grace = parseDuration(cm.data.IBM_SHUTDOWN_GRACE);
      }
      for (const e of c.env || []) if (e.name === 'IBM_SHUTDOWN_GRACE') grace = parseDuration(e.value);
      if (grace === null || Number.isNaN(grace)) fail(o, `${where}: IBM_SHUTDOWN_GRACE not set (or not a duration)`);
      else if (!((ps.terminationGracePeriodSeconds ?? 30) > grace)) fail(o, `terminationGracePeriodSeconds ${ps.terminationGracePeriodSeconds ?? 30} must exceed shutdown grace ${grace}s`);
    }
    if (!longRunning) continue;
    // Each server: a PDB, a headless Service for client-side round_robin, a default deny.
    const labels = t.metadata.labels || {};
    if (!byKind('PodDisruptionBudget').some((p) => matches(p.spec.selector, labels))) fail(o, 'no PodDisruptionBudget selects its pods');
    const svcs = byKind('Service').filter((s) => s.spec.selector && Object.entries(s.spec.selector).every(([k, v]) => labels[k] === v));
    if (!svcs.some((s) => s.spec.clusterIP === 'None')) fail(o, 'no headless Service selects its pods');
    const deny = byKind('NetworkPolicy').some((n) => matches(n.spec.podSelector, labels) && (n.spec.policyTypes || []).includes('Ingress') &&
      (n.spec.policyTypes || []).includes('Egress') && !n.spec.ingress && !n.spec.egress);
    if (!deny) fail(o, 'no deny-by-default NetworkPolicy (Ingress and Egress, no rules) selects its pods');
    if (!byKind('NetworkPolicy').some((n) => matches(n.spec.podSelector, labels) && (n.spec.ingress || []).length)) fail(o, 'no NetworkPolicy lets callers in');
    if (o.kind === 'Deployment') {
      const pvc = [...volumes.values()].some((v) => v.persistentVolumeClaim);
      const strategy = o.spec.strategy || {};
      if (pvc && (strategy.type !== 'Recreate' || (o.spec.replicas ?? 1) !== 1)) fail(o, 'a Deployment with a PVC (single writer) needs replicas 1 and strategy Recreate');
      if (strategy.type === 'Recreate' && strategy.rollingUpdate) fail(o, 'strategy Recreate with rollingUpdate is rejected by the API server');
      const hpa = byKind('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === o.metadata.name);
      if (hpa && o.spec.replicas !== undefined) fail(o, 'replicas is set although an HPA scales it (each apply would reset it)');
      if (expect.replicas !== undefined && (o.spec.replicas ?? 1) !== expect.replicas) fail(o, `${overlay} expects ${expect.replicas} replicas, got ${o.spec.replicas ?? 1}`);
      if (expect.minReplicas !== undefined) {
        const min = hpa ? hpa.spec.minReplicas : (o.spec.replicas ?? 1);
        if (min < expect.minReplicas) fail(o, `${overlay} expects at least ${expect.minReplicas} replicas, got ${min}`);
      }
    }
  }
  // Key custody: one Secret per key file and service (the NIK index's keys never share
  // the field keys' Secret; no two services share one).
  for (const [name, uses] of keySecrets) {
    const settings = [...new Set(uses.map((u) => u.setting))];
    const owners = [...new Set(uses.map((u) => u.owner))].sort();
    if (settings.length > 1) problems.push(`Secret/${name}: holds the keys of ${settings.join(' and ')}; each key file has its own Secret (own custody)`);
    if (owners.length > 1) problems.push(`Secret/${name}: key Secret shared by ${owners.join(' and ')}; each service has its own`);
  }
  // NetworkPolicies: no rule that admits every source, and ports that the selected pods
  // (ingress) or the peer pods (egress, same namespace) actually listen on.
  const templates = podTemplates(objs);
  for (const n of byKind('NetworkPolicy')) {
    for (const r of n.spec.ingress || []) {
      if (!r.from || !r.from.length || r.from.some((x) => !x.podSelector && !x.namespaceSelector && !x.ipBlock) ||
          r.from.some((x) => x.namespaceSelector && !Object.keys(x.namespaceSelector).length)) {
        fail(n, 'an ingress rule admits every source; name the callers');
      }
      for (const p of r.ports || []) {
        for (const [o, t] of templates) {
          if (selectorMatches(n.spec.podSelector, t.metadata.labels) && p.port !== undefined && resolvePort(t, p.port) === null) {
            fail(n, `ingress port ${p.port} is not a container port of ${o.kind}/${o.metadata.name}`);
          }
        }
      }
    }
    for (const r of n.spec.egress || []) {
      for (const peer of r.to || []) {
        if (peer.namespaceSelector || peer.ipBlock || !peer.podSelector) continue;
        for (const [o, t] of templates) {
          if (!selectorMatches(peer.podSelector, t.metadata.labels)) continue;
          for (const p of r.ports || []) {
            if (p.port !== undefined && resolvePort(t, p.port) === null) fail(n, `egress port ${p.port} is not a container port of ${o.kind}/${o.metadata.name}`);
          }
        }
      }
    }
  }
  // Services: each targetPort is a container port of the pods it selects.
  for (const svc of byKind('Service')) {
    if (!svc.spec.selector) continue;
    for (const [o, t] of templates) {
      if (!Object.entries(svc.spec.selector).every(([k, v]) => (t.metadata.labels || {})[k] === v)) continue;
      for (const p of svc.spec.ports || []) {
        const target = p.targetPort === undefined ? p.port : p.targetPort;
        if (resolvePort(t, target) === null) fail(svc, `port ${p.name || p.port}: targetPort ${target} is not a container port of ${o.kind}/${o.metadata.name}`);
      }
    }
  }
  // Settings and secrets.
  for (const cm of byKind('ConfigMap')) {
    const d = cm.data || {};
    for (const [flag, what] of DEV_AUTH_FLAGS) {
      const key = envVarForFlag(flag);
      if (d[key] === undefined || d[key] === '') continue;
      const state = abslBool(d[key]);
      if (state === 'invalid') fail(cm, `${key}=${d[key]} is not a bool to Abseil (${ABSL_BOOLS}): the server would refuse to start`);
      if (state === 'on' && !expect.devAuth) fail(cm, `${key}=${d[key]} is not allowed in ${overlay} (Abseil reads "${d[key]}" as true: ${what})`);
    }
    if (d.IBM_DB) fail(cm, 'IBM_DB belongs in a Secret (the DSN may hold a password)');
  }
  if (expect.noSecrets) for (const s of byKind('Secret')) fail(s, `${overlay} must not carry Secret values in git`);
  const db = objs.filter((o) => o.kind === 'Secret' && o.data && o.data.dsn).map((s) => Buffer.from(s.data.dsn, 'base64').toString());
  if (expect.sqlite && !db.some((d) => d.startsWith('sqlite:///'))) problems.push(`${overlay}: expected a sqlite:/// DSN Secret`);
  if (expect.sqlite) {
    // Each server's SQLite file on a PVC of its own (the root filesystem is read-only and
    // an emptyDir dies with the pod; one writer per file).
    const claims = new Map();
    for (const dep of byKind('Deployment')) {
      const ps = dep.spec.template.spec;
      for (const c of ps.containers) {
        const e = (c.env || []).find((x) => x.name === 'IBM_DB');
        const ref = e && (e.valueFrom || {}).secretKeyRef;
        const secret = ref && find('Secret', ref.name);
        const dsn = secret && secret.data && secret.data[ref.key] !== undefined ? Buffer.from(String(secret.data[ref.key]), 'base64').toString() : null;
        if (!e) continue;
        if (dsn === null || !dsn.startsWith('sqlite:///')) { fail(dep, `container ${c.name}: ${overlay} expects IBM_DB to be a sqlite:/// DSN from a Secret rendered here`); continue; }
        const file = dsn.slice('sqlite://'.length).replace(/\?.*$/, '');
        const m = (c.volumeMounts || []).filter((x) => file.startsWith(x.mountPath.replace(/\/?$/, '/')))
          .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
        const v = m && (ps.volumes || []).find((x) => x.name === m.name);
        if (!v || !v.persistentVolumeClaim) { fail(dep, `container ${c.name}: SQLite file ${file} is not on a PersistentVolumeClaim`); continue; }
        const claim = v.persistentVolumeClaim.claimName;
        if (claims.has(claim) && claims.get(claim) !== dep.metadata.name) fail(dep, `PersistentVolumeClaim ${claim} is also used by Deployment ${claims.get(claim)} (ReadWriteOnce, one SQLite writer)`);
        claims.set(claim, dep.metadata.name);
      }
    }
  }
  if (expect.mariadb) {
    for (const k of ['MariaDB', 'Database', 'User', 'Grant', 'Connection']) if (!byKind(k).length) problems.push(`${overlay}: no mariadb-operator ${k}`);
    // Every server reads IBM_DB from the Secret of a Connection of its own (its own
    // database and user, granted on that database only).
    const usedBy = new Map();
    for (const dep of byKind('Deployment')) {
      const c = dep.spec.template.spec.containers.find((x) => (x.env || []).some((e) => e.name === 'IBM_DB'));
      const ref = c && ((c.env.find((e) => e.name === 'IBM_DB').valueFrom || {}).secretKeyRef);
      const conn = ref && byKind('Connection').find((x) => x.spec.secretName === ref.name && (x.spec.secretTemplate || {}).key === ref.key);
      if (!conn) {
        problems.push(`${overlay}: the IBM_DB of Deployment ${dep.metadata.name} does not read a Connection's Secret` +
          (ref ? ` (it reads Secret ${ref.name} key ${ref.key})` : ''));
        continue;
      }
      if (usedBy.has(conn.metadata.name)) problems.push(`${overlay}: Deployments ${[usedBy.get(conn.metadata.name), dep.metadata.name].sort().join(' and ')} share the Connection ${conn.metadata.name} (each service has its own database and user)`);
      usedBy.set(conn.metadata.name, dep.metadata.name);
      const { database, username } = conn.spec;
      if (!byKind('Database').some((d) => d.spec.name === database)) problems.push(`${overlay}: Connection ${conn.metadata.name}: no Database ${database}`);
      if (!byKind('User').some((u) => u.spec.name === username)) problems.push(`${overlay}: Connection ${conn.metadata.name}: no User ${username}`);
      if (!byKind('Grant').some((g) => g.spec.username === username && g.spec.database === database)) problems.push(`${overlay}: Connection ${conn.metadata.name}: no Grant to ${username} on ${database}`);
    }
    for (const x of [...byKind('User'), ...byKind('Connection')]) {
      const ref = x.spec.passwordSecretKeyRef;
      if (ref && !find('Secret', ref.name) && !external('Secret', ref.name)) fail(x, `passwordSecretKeyRef refers to Secret ${ref.name}, which is neither rendered nor a known external object`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------

function main() {
  const args = process.argv.slice(2);
  if (!args.length) { console.error('usage: validate.js <overlay>=<rendered.yaml> ...'); process.exit(2); }
  let failed = false;
  for (const arg of args) {
    const [overlay, file] = arg.split('=');
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
    const problems = [];
    const objs = [];
    for (const d of docs) {
      if (d.errors.length) { d.errors.forEach((e) => problems.push(`yaml: ${e.message}`)); continue; }
      const o = d.toJS();
      if (o !== null) objs.push(o);
    }
    let opaque = 0;
    const counts = {};
    for (const o of objs) {
      const id = `${o.kind}/${(o.metadata || {}).name}`;
      const [p, op] = schemaCheck(o);
      opaque += op;
      p.forEach((x) => problems.push(`${id}: ${x}`));
      counts[o.kind] = (counts[o.kind] || 0) + 1;
    }
    if (!problems.length) checkPolicy(overlay, objs).forEach((p) => problems.push(p));
    const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
    if (problems.length) {
      failed = true;
      console.log(`FAIL ${overlay}: ${problems.length} problem(s) in ${objs.length} objects`);
      problems.forEach((p) => console.log(`  ${p}`));
    } else {
      console.log(`ok   ${overlay}: ${objs.length} objects valid, no unknown keys, policy ok (${summary})` +
        (opaque ? `; ${opaque} schema-opaque value(s) not key-checked` : ''));
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
