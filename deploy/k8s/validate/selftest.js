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
const get = (objs, kind, name) => objs.find((o) => o.kind === kind && (name ? o.metadata.name === name :
  kind !== 'ConfigMap' || o.metadata.name.startsWith('ibm-registry-config-')));
const dep = (objs) => get(objs, 'Deployment', 'ibm-registry');
const ctr = (objs) => dep(objs).spec.template.spec.containers[0];
const casesDep = (objs) => get(objs, 'Deployment', 'ibm-cases');
const casesCtr = (objs) => casesDep(objs).spec.template.spec.containers[0];
const casesVol = (objs, name) => casesDep(objs).spec.template.spec.volumes.find((v) => v.name === name);
// The ConfigMaps are hash-suffixed: found by prefix. get(o, 'ConfigMap') below is the registry's.
const cmOf = (objs, prefix) => objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${prefix}-`));
const devSecret = (objs, prefix) => objs.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith(`${prefix}-`)); // hash-suffixed
const prodCM = cmOf(load(prodFile), 'ibm-registry-config').metadata.name;
const devCM = cmOf(load(devFile), 'ibm-registry-config').metadata.name;
const casesProdCM = cmOf(load(prodFile), 'ibm-cases-config').metadata.name;
const addEnv = (o, e) => { ctr(o).env.push(e); };
const fromCM = (name, key) => ({ valueFrom: { configMapKeyRef: { name, key } } });
// Spellings that Abseil's bool flag parser reads as true (case-insensitive).
const TRUTHY = ['1', 'yes', 'TRUE', 't', 'Y'];
const ON = 'insecure dev auth (--insecure_dev_auth) switched on by';

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
  // Dev auth outside the dev overlay: every true spelling, every channel to the server.
  ...TRUTHY.map((v) => ['production', `dev auth "${v}" in env`, (o) => { addEnv(o, { name: 'IBM_INSECURE_DEV_AUTH', value: v }); },
    `${ON} env IBM_INSECURE_DEV_AUTH="${v}" (Abseil reads "${v}" as true); not allowed in production`]),
  ...TRUTHY.map((v) => ['production', `dev auth "${v}" in the ConfigMap`, (o) => { get(o, 'ConfigMap').data.IBM_INSECURE_DEV_AUTH = v; },
    `${ON} envFrom ConfigMap ${prodCM} key IBM_INSECURE_DEV_AUTH="${v}" (Abseil reads "${v}" as true)`]),
  ...TRUTHY.map((v) => ['production', `dev auth "${v}" by configMapKeyRef`, (o) => {
    get(o, 'ConfigMap').data['dev-mode'] = v;
    addEnv(o, { name: 'IBM_INSECURE_DEV_AUTH', ...fromCM(prodCM, 'dev-mode') });
  }, `${ON} env IBM_INSECURE_DEV_AUTH from ConfigMap ${prodCM} key dev-mode="${v}" (Abseil reads "${v}" as true)`]),
  ['production', 'dev auth by args --insecure_dev_auth', (o) => { ctr(o).args = ['--insecure_dev_auth']; }, `${ON} args "--insecure_dev_auth"`],
  ['production', 'dev auth by args --insecure_dev_auth=1', (o) => { ctr(o).args = ['--insecure_dev_auth=1']; }, `${ON} args "--insecure_dev_auth=1" (Abseil reads "1" as true)`],
  ['production', 'dev auth by a single-dash flag in command', (o) => { ctr(o).command.push('-insecure_dev_auth=yes'); }, `${ON} command "-insecure_dev_auth=yes"`],
  ['production', 'dev auth in a shell command', (o) => { ctr(o).command = ['/bin/sh', '-c', 'exec /usr/local/bin/ibm-registry --insecure_dev_auth']; },
    `${ON} command "--insecure_dev_auth" (from "exec /usr/local/bin/ibm-registry --insecure_dev_auth")`],
  ['production', 'dev auth by $(VAR) in args', (o) => { addEnv(o, { name: 'DEV', value: 'y' }); ctr(o).args = ['--insecure_dev_auth=$(DEV)']; },
    `${ON} args "--insecure_dev_auth=y" (from "--insecure_dev_auth=$(DEV)")`],
  ['production', 'dev auth by --fromenv', (o) => { addEnv(o, { name: 'FLAGS_insecure_dev_auth', value: 'T' }); ctr(o).args = ['--fromenv', 'insecure_dev_auth']; },
    `${ON} args "--fromenv" reading FLAGS_insecure_dev_auth, env FLAGS_insecure_dev_auth="T"`],
  ['production', 'dev auth by an envFrom prefix', (o) => {
    get(o, 'ConfigMap').data.INSECURE_DEV_AUTH = 'yes';
    ctr(o).envFrom.push({ prefix: 'IBM_', configMapRef: { name: prodCM } });
  }, `${ON} envFrom ConfigMap ${prodCM} (prefix IBM_) key INSECURE_DEV_AUTH="yes"`],
  ['production', 'dev auth from a Secret not in git', (o) => { addEnv(o, { name: 'IBM_INSECURE_DEV_AUTH', valueFrom: { secretKeyRef: { name: 'ibm-registry-jwt', key: 'dev' } } }); },
    '--insecure_dev_auth set by env IBM_INSECURE_DEV_AUTH from Secret ibm-registry-jwt key dev, whose value is not rendered here'],
  ['production', 'a --flagfile', (o) => { ctr(o).args = ['--flagfile=/etc/ibm/flags']; }, 'args "--flagfile=/etc/ibm/flags": the flags in that file are not rendered here'],
  ['production', 'non-loopback allowance alone', (o) => { get(o, 'ConfigMap').data.IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK = 'true'; },
    `dev auth on a non-loopback address (--insecure_dev_auth_allow_non_loopback) switched on by envFrom ConfigMap ${prodCM} key IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK="true"`],
  ['production', 'non-loopback allowance by args', (o) => { ctr(o).args = ['--insecure_dev_auth_allow_non_loopback=Y']; },
    'dev auth on a non-loopback address (--insecure_dev_auth_allow_non_loopback) switched on by args "--insecure_dev_auth_allow_non_loopback=Y"'],
  ['dev', 'dev auth without the non-loopback allowance', (o) => { delete get(o, 'ConfigMap').data.IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK; },
    `insecure dev auth is on (envFrom ConfigMap ${devCM} key IBM_INSECURE_DEV_AUTH="true") but --insecure_dev_auth_allow_non_loopback is not`],
  ['dev', 'allowance switched off again by args', (o) => { ctr(o).args = ['--noinsecure_dev_auth_allow_non_loopback']; }, 'but --insecure_dev_auth_allow_non_loopback is not'],
  ['dev', 'dev auth not a bool', (o) => { get(o, 'ConfigMap').data.IBM_INSECURE_DEV_AUTH = 'on'; },
    `envFrom ConfigMap ${devCM} key IBM_INSECURE_DEV_AUTH="on" sets --insecure_dev_auth to something Abseil cannot read as a bool`],
  ['dev', 'empty --insecure_dev_auth=', (o) => { ctr(o).args = ['--insecure_dev_auth=']; }, 'args "--insecure_dev_auth=" sets --insecure_dev_auth to something Abseil cannot read'],
  ['dev', '--noinsecure_dev_auth with a value', (o) => { ctr(o).args = ['--noinsecure_dev_auth=true']; }, 'with a value, which its "no" form does not take'],
  // The cases service: the same rules reach its objects, and its own ones hold.
  ['production', 'cases: NetworkPolicy port is not its container port', (o) => { get(o, 'NetworkPolicy', 'ibm-cases-ingress').spec.ingress[0].ports[0].port = 7003; },
    'NetworkPolicy/ibm-cases-ingress: ingress port 7003 is not a container port of Deployment/ibm-cases'],
  ['production', 'cases: ingress from anywhere', (o) => { delete get(o, 'NetworkPolicy', 'ibm-cases-ingress').spec.ingress[0].from; },
    'NetworkPolicy/ibm-cases-ingress: an ingress rule admits every source'],
  ['production', 'cases: probe on the registry\'s port', (o) => { casesCtr(o).readinessProbe.grpc.port = 7001; }, 'container cases: readinessProbe port 7001 is not a container port'],
  ['production', 'cases: listens on the registry\'s port', (o) => { get(o, 'ConfigMap', casesProdCM).data.IBM_LISTEN = '0.0.0.0:7001'; },
    'container cases: IBM_LISTEN=0.0.0.0:7001: port 7001 is not a container port'],
  ['production', 'cases: Service targetPort not on its pods', (o) => { get(o, 'Service', 'ibm-cases-vip').spec.ports[1].targetPort = 'metric'; },
    'Service/ibm-cases-vip: port metrics: targetPort metric is not a container port of Deployment/ibm-cases'],
  ['production', 'cases: no PDB', (o) => { o.splice(o.indexOf(get(o, 'PodDisruptionBudget', 'ibm-cases')), 1); }, 'Deployment/ibm-cases: no PodDisruptionBudget selects its pods'],
  ['production', 'cases: writable root filesystem', (o) => { casesCtr(o).securityContext.readOnlyRootFilesystem = false; }, 'Deployment/ibm-cases: container cases: readOnlyRootFilesystem must be true'],
  ['production', 'cases: replicas fighting its HPA', (o) => { casesDep(o).spec.replicas = 3; }, 'Deployment/ibm-cases: replicas is set although an HPA scales it'],
  ['production', 'cases: dev auth in its ConfigMap', (o) => { get(o, 'ConfigMap', casesProdCM).data.IBM_INSECURE_DEV_AUTH = 'true'; },
    `Deployment/ibm-cases: container cases: ${ON} envFrom ConfigMap ${casesProdCM} key IBM_INSECURE_DEV_AUTH="true"`],
  ['production', 'cases: no NIK-index key file', (o) => { delete get(o, 'ConfigMap', casesProdCM).data.IBM_NIK_INDEX_KEYS; },
    'container cases: ibm-cases needs IBM_NIK_INDEX_KEYS (--nik_index_keys)'],
  ['production', 'cases: NIK-index keys in the field keys\' Secret', (o) => { casesVol(o, 'nik-index-keys').secret.secretName = 'ibm-cases-field-keys'; },
    'Secret/ibm-cases-field-keys: holds the keys of IBM_FIELD_KEYS and IBM_NIK_INDEX_KEYS'],
  ['production', 'cases: the registry\'s field keys', (o) => { casesVol(o, 'field-keys').secret.secretName = 'ibm-registry-field-keys'; },
    'Secret/ibm-registry-field-keys: key Secret shared by Deployment/ibm-cases and Deployment/ibm-registry'],
  ['production', 'cases: key Secret readable by others', (o) => { casesVol(o, 'nik-index-keys').secret.defaultMode = 0o444; },
    'IBM_NIK_INDEX_KEYS=/etc/ibm/nik-index-keys/keys: volume nik-index-keys mode 0444 lets others read the key file'],
  ['production', 'cases: key Secret without fsGroup', (o) => { delete casesDep(o).spec.template.spec.securityContext.fsGroup; },
    'IBM_FIELD_KEYS=/etc/ibm/field-keys/keys: Secret files belong to root; without the pod\'s fsGroup'],
  ['production', 'cases: NIK-index key file not mounted', (o) => { get(o, 'ConfigMap', casesProdCM).data.IBM_NIK_INDEX_KEYS = '/etc/ibm/nik/keys'; },
    'IBM_NIK_INDEX_KEYS=/etc/ibm/nik/keys is not in a mounted Secret volume'],
  ['production', 'cases: registry not admitting cases', (o) => {
    get(o, 'NetworkPolicy', 'ibm-registry-ingress').spec.ingress[0].from[0].podSelector = { matchLabels: { 'app.kubernetes.io/name': 'ibm-referrals' } };
  }, 'container cases: IBM_REGISTRY=ibm-registry:7001: no NetworkPolicy lets its pods into Deployment/ibm-registry port 7001'],
  ['production', 'cases: no egress to the registry', (o) => {
    for (const n of ['ibm-suite-egress-registry', 'ibm-cases-egress-registry']) get(o, 'NetworkPolicy', n).spec.egress[0].ports[0].port = 7002;
  }, 'container cases: IBM_REGISTRY=ibm-registry:7001: no NetworkPolicy lets its pods out to Deployment/ibm-registry port 7001'],
  ['production', 'cases: registry address without a Service', (o) => { get(o, 'ConfigMap', casesProdCM).data.IBM_REGISTRY = 'registry:7001'; },
    'IBM_REGISTRY=registry:7001 is not a port of a Service rendered here'],
  ['production', 'cases: IBM_DB from the registry\'s Connection', (o) => { casesCtr(o).env.find((e) => e.name === 'IBM_DB').valueFrom.secretKeyRef.name = 'ibm-registry-mariadb-dsn'; },
    'Deployments ibm-cases and ibm-registry share the Connection ibm-registry'],
  ['production', 'cases: IBM_DB not from a Connection', (o) => { casesCtr(o).env.find((e) => e.name === 'IBM_DB').valueFrom.secretKeyRef.name = 'ibm-cases-db'; },
    'the IBM_DB of Deployment ibm-cases does not read a Connection\'s Secret'],
  ['production', 'cases: Grant on another database', (o) => { get(o, 'Grant', 'ibm-cases').spec.database = 'ibm_registry'; },
    'Connection ibm-cases: no Grant to ibm_cases on ibm_cases'],
  ['production', 'cases: DB password Secret unknown', (o) => { get(o, 'User', 'ibm-cases').spec.passwordSecretKeyRef.name = 'ibm-cases-password'; },
    'User/ibm-cases: passwordSecretKeyRef refers to Secret ibm-cases-password'],
  ['dev', 'cases: two SQLite writers', (o) => { casesDep(o).spec.replicas = 2; }, 'Deployment/ibm-cases: a Deployment with a PVC (single writer) needs replicas 1'],
  ['dev', 'cases: SQLite file off the volume', (o) => { devSecret(o, 'ibm-cases-db').data.dsn = Buffer.from('sqlite:///tmp/cases.db').toString('base64'); },
    'Deployment/ibm-cases: container cases: SQLite file /tmp/cases.db is not on a PersistentVolumeClaim'],
  ['dev', 'cases: on the registry\'s volume', (o) => { casesVol(o, 'data').persistentVolumeClaim.claimName = 'ibm-registry-data'; },
    'PersistentVolumeClaim ibm-registry-data is also used by Deployment'],
  ['dev', 'cases: key file name not in its Secret', (o) => { const s = devSecret(o, 'ibm-cases-nik-index-keys'); s.data = { key: s.data.keys }; },
    'IBM_NIK_INDEX_KEYS=/etc/ibm/nik-index-keys/keys: Secret ibm-cases-nik-index-keys-'],
];
// Mutations that must still pass (expected exit 0): off and empty spellings are not dev auth.
const passes = [
  ['production', 'dev auth empty, false, No, --noinsecure_dev_auth', (o) => {
    get(o, 'ConfigMap').data.IBM_INSECURE_DEV_AUTH = '';
    get(o, 'ConfigMap').data.IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK = ' false ';
    addEnv(o, { name: 'IBM_INSECURE_DEV_AUTH', value: 'No' });
    ctr(o).args = ['--noinsecure_dev_auth', '-insecure_dev_auth_allow_non_loopback=F', '--insecure_dev_auth_x=1'];
  }],
  ['dev', 'dev auth and the allowance spelled 1 and yes', (o) => { Object.assign(get(o, 'ConfigMap').data, { IBM_INSECURE_DEV_AUTH: '1', IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK: 'yes' }); }],
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ibm-k8s-selftest-'));
let bad = 0;
try {
  [...cases, ...passes.map(([overlay, what, mutate]) => [overlay, what, mutate, null])].forEach(([overlay, what, mutate, expected], i) => {
    const objs = load(overlay === 'dev' ? devFile : prodFile);
    mutate(objs);
    const f = path.join(tmp, `${i}.yaml`);
    fs.writeFileSync(f, objs.map((o) => YAML.stringify(o)).join('---\n'));
    let out = '';
    let code = 0;
    try { out = execFileSync(process.execPath, [path.join(__dirname, 'validate.js'), `${overlay}=${f}`], { encoding: 'utf8' }); } catch (e) { code = e.status; out = e.stdout; }
    if (expected === null ? code === 0 : code === 1 && out.includes(expected)) return;
    bad++;
    console.log(expected === null ? `selftest FAILED: "${what}" must pass (exit ${code}):\n${out}` :
      `selftest FAILED: "${what}" was not rejected with "${expected}" (exit ${code}):\n${out}`);
  });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(bad ? `selftest: ${bad} of ${cases.length + passes.length} mutations not caught or not passed` :
  `selftest: all ${cases.length} broken variants rejected, ${passes.length} harmless ones passed`);
process.exit(bad ? 1 : 0);
