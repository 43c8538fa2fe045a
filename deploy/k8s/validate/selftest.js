#!/usr/bin/env node
// Proves the validator can fail: each mutation of a rendered overlay must be rejected
// with the expected message. Run by validate.sh after the real checks.
//   node selftest.js <rendered-production.yaml> <rendered-dev.yaml>
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');

const [prodFile, devFile] = process.argv.slice(2);
const load = (f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS());
const get = (objs, kind, name) => objs.find((o) => o.kind === kind && (!name || o.metadata.name === name));
const dep = (objs) => get(objs, 'Deployment', 'ibm-registry');
const ctr = (objs) => dep(objs).spec.template.spec.containers[0];

// [overlay, description, mutate(objs), expected substring of the failure]
const cases = [
  ['production', 'misspelled Deployment spec key', (o) => { dep(o).spec.replica = 2; }, 'unknown key /spec/replica'],
  ['production', 'misspelled container key', (o) => { ctr(o).imagePullPolicyy = 'Always'; }, 'unknown key /spec/template/spec/containers/0/imagePullPolicyy'],
  ['production', 'misspelled grpc probe key', (o) => { ctr(o).readinessProbe.grpc.servce = ''; }, 'unknown key /spec/template/spec/containers/0/readinessProbe/grpc/servce'],
  ['production', 'misspelled metadata key', (o) => { dep(o).metadata.label = {}; }, 'unknown key /metadata/label'],
  ['production', 'misspelled NetworkPolicy key', (o) => { get(o, 'NetworkPolicy').spec.podSelctor = {}; }, 'unknown key /spec/podSelctor'],
  ['production', 'unknown key in a MariaDB CR', (o) => { get(o, 'MariaDB').spec.replicaz = 3; }, 'must NOT have additional properties'],
  ['production', 'unknown key in a CR\'s metadata', (o) => { get(o, 'Grant').metadata.nmae = 'x'; }, 'unknown key /metadata/nmae'],
  ['production', 'wrong type', (o) => { ctr(o).readinessProbe.grpc.port = 'grpc'; }, 'type {"type":"integer"}'],
  ['production', 'unknown kind', (o) => { o.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }); }, 'no schema for example.com/v1 Widget'],
  ['production', 'HTTP readiness probe', (o) => { ctr(o).readinessProbe = { httpGet: { path: '/', port: 9001 } }; }, 'readinessProbe must be a grpc probe'],
  ['production', 'liveness on readiness service', (o) => { ctr(o).livenessProbe.grpc.service = ''; }, 'livenessProbe must ask health service "liveness"'],
  ['production', 'writable root filesystem', (o) => { ctr(o).securityContext.readOnlyRootFilesystem = false; }, 'readOnlyRootFilesystem must be true'],
  ['production', 'capabilities kept', (o) => { ctr(o).securityContext.capabilities.drop = ['NET_RAW']; }, 'capabilities must drop ALL'],
  ['production', 'no seccomp profile', (o) => { delete dep(o).spec.template.spec.securityContext.seccompProfile; }, 'pod seccompProfile must be RuntimeDefault'],
  ['production', 'privilege escalation', (o) => { delete ctr(o).securityContext.allowPrivilegeEscalation; }, 'allowPrivilegeEscalation must be false'],
  ['production', 'no memory limit', (o) => { delete ctr(o).resources.limits.memory; }, 'resources.limits.memory missing'],
  ['production', 'grace shorter than drain', (o) => { dep(o).spec.template.spec.terminationGracePeriodSeconds = 5; }, 'must exceed shutdown grace'],
  ['production', 'image by tag', (o) => { ctr(o).image = 'registry.bnn.go.id/ibm/ibm-suite:1.0'; }, 'pinned by digest'],
  ['production', 'dev auth in production', (o) => { get(o, 'ConfigMap').data.IBM_INSECURE_DEV_AUTH = 'true'; }, 'IBM_INSECURE_DEV_AUTH=true is not allowed'],
  ['production', 'a Secret in production', (o) => { o.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: {} }); }, 'must not carry Secret values'],
  ['production', 'dangling Secret reference', (o) => { ctr(o).env[0].valueFrom.secretKeyRef.name = 'nope'; }, 'refers to Secret nope'],
  ['production', 'no default deny', (o) => { o.splice(o.indexOf(get(o, 'NetworkPolicy', 'ibm-suite-default-deny')), 1); }, 'no deny-by-default NetworkPolicy'],
  ['production', 'token automounted', (o) => { dep(o).spec.template.spec.automountServiceAccountToken = true; }, 'automountServiceAccountToken must be false'],
  ['production', 'region import without a token', (o) => { delete get(o, 'Job').spec.template.spec.containers[0].env; }, 'ibmctl needs IBM_TOKEN from a Secret'],
  ['production', 'replicas fighting the HPA', (o) => { dep(o).spec.replicas = 3; }, 'although an HPA scales it'],
  ['dev', 'SQLite with a rolling update', (o) => { dep(o).spec.strategy = { type: 'RollingUpdate' }; }, 'needs replicas 1 and strategy Recreate'],
  ['dev', 'Secret value not base64', (o) => { get(o, 'Secret').data.dsn = 'sqlite:///data/x.db'; }, '{"format":"byte"}'],
  ['dev', 'two SQLite writers', (o) => { dep(o).spec.replicas = 2; }, 'needs replicas 1 and strategy Recreate'],
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ibm-k8s-selftest-'));
let bad = 0;
try {
  cases.forEach(([overlay, what, mutate, expected], i) => {
    const objs = load(overlay === 'dev' ? devFile : prodFile);
    mutate(objs);
    const f = path.join(tmp, `${i}.yaml`);
    fs.writeFileSync(f, objs.map((o) => YAML.stringify(o)).join('---\n'));
    let out = '';
    let code = 0;
    try { out = execFileSync(process.execPath, [path.join(__dirname, 'validate.js'), `${overlay}=${f}`], { encoding: 'utf8' }); } catch (e) { code = e.status; out = e.stdout; }
    if (code === 1 && out.includes(expected)) return;
    bad++;
    console.log(`selftest FAILED: "${what}" was not rejected with "${expected}" (exit ${code}):\n${out}`);
  });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(bad ? `selftest: ${bad} of ${cases.length} mutations not caught` : `selftest: all ${cases.length} broken variants rejected`);
process.exit(bad ? 1 : 0);
