import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ServiceAccount } from 'kubernetes-models/v1';
import { crdYaml } from '../src/offline.js';
import { SERVICE_NAMES } from '../src/types.js';
import { helm } from './helpers/helm.js';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
const chart = new URL('charts/flock-operator', root).pathname;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('chart', () => {
  test('when the CRD source changes, then the chart copy must be regenerated (scripts/kube/sync-crd.sh)', () => {
    expect(read('charts/flock-operator/templates/crd.yaml')).toBe(crdYaml());
  });

  test('when linted strictly, then helm finds no problem', () => {
    expect(helm(['lint', '--strict', chart])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test('when templated, then every object is valid and the operator runs locked down with least privilege', () => {
    const out = helm(['template', 'flock-operator', chart, '--namespace', 'flock-system']);
    const objs = parseAllDocuments(out)
      .map((d) => d.toJS() as Any)
      .filter(Boolean);
    const models: Record<string, new (d: never) => { validate(): void }> = {
      CustomResourceDefinition,
      Deployment,
      ClusterRole,
      ClusterRoleBinding,
      Role,
      RoleBinding,
      ServiceAccount,
    };
    expect(objs.map((o) => o.kind).sort()).toEqual(Object.keys(models).sort());
    for (const o of objs) new models[o.kind]!(o as never).validate();

    const pod = objs.find((o) => o.kind === 'Deployment').spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });

    const rules: Any[] = objs.find((o) => o.kind === 'ClusterRole').rules;
    for (const r of rules) expect(r.verbs).not.toContain('*');
    expect(rules.find((r) => r.resources.includes('secrets')).verbs).toEqual(['get']);
    expect(rules.find((r) => r.resources.includes('socialplatforms')).verbs).toEqual([
      'get',
      'list',
      'watch',
    ]);
    const lease = objs.find((o) => o.kind === 'Role').rules.find((r: Any) => r.resourceNames);
    expect(lease).toMatchObject({ resourceNames: ['flock-operator'], verbs: ['get', 'update'] });
  });
});

describe('skaffold.yaml', () => {
  const docs = parseAllDocuments(read('skaffold.yaml')).map((d) => d.toJS() as Any);

  test('when validated against the skaffold v4beta13 JSON schema, then it passes', () => {
    const schema = JSON.parse(
      read('operator/test/fixtures/skaffold-v4beta13.schema.json'),
    ) as object;
    // The schema uses its own keywords (preferredOrder, x-intellij-html-description).
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const doc of docs) {
      expect(doc.apiVersion).toBe('skaffold/v4beta13');
      expect(validate(doc) ? [] : validate.errors).toEqual([]);
    }
    expect(
      validate({ apiVersion: 'skaffold/v4beta13', kind: 'Config', build: { artefacts: [] } }),
    ).toBe(false);
  });

  test('when artifacts are listed, then each image is named after its workspace folder and every service has one', () => {
    const artifacts: Any[] = docs.flatMap((d) => d.build?.artifacts ?? []);
    for (const a of artifacts) {
      expect(a.image).toBe(basename(a.docker.buildArgs.SERVICE));
      expect(a.docker.dockerfile).toBe('Dockerfile');
      expect(['operator', ...SERVICE_NAMES.map((s) => `services/${s}`)]).toContain(
        a.docker.buildArgs.SERVICE,
      );
    }
    const present = readdirSync(new URL('services/', root)).filter((s) =>
      (SERVICE_NAMES as readonly string[]).includes(s),
    );
    for (const s of present) expect(artifacts.map((a) => a.image)).toContain(s);
    expect(artifacts.map((a) => a.image)).toContain('operator');
  });

  test('when profiles are listed, then dev and prod exist and each points at a sample that exists', () => {
    const platform = docs.find((d) => d.metadata.name === 'platform');
    expect(platform.profiles.map((p: Any) => p.name)).toEqual(['dev', 'prod']);
    const files = [platform.manifests.rawYaml[0], platform.profiles[1].patches[0].value];
    for (const f of files) expect(existsSync(new URL(f, root))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  test('when built, then it is multi-stage on a slim Node LTS, installs production deps, runs node directly as non-root', () => {
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/ARG NODE_IMAGE=node:24-bookworm-slim/);
    expect(text).toMatch(/ARG SERVICE/);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^USER 1000:1000$/m);
    expect(text).toMatch(/^ENTRYPOINT \["node", "dist\/index.js"\]$/m);
  });
});
