import { renderPlatform } from '../src/render/index.js';
import { renderYaml } from '../src/offline.js';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, SocialPlatform } from '../src/api/types.js';
import { baseConfigSchema, loadConfig } from '@flock/kit';
import { samplePath, samplePlatform } from './helpers/platforms.js';
import { validateObject } from './helpers/schemas.js';

const byKind = (objs: KubeObject[], kind: string) => objs.filter((o) => o.kind === kind);
// Rendered objects are plain JSON; tests look inside them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('render', () => {
  for (const sample of ['dev', 'prod'] as const) {
    test(`when the ${sample} sample is rendered, then every object passes its schema`, () => {
      const objects = renderPlatform(samplePlatform(sample, 'uid-1'));
      expect(objects.length).toBeGreaterThan(10);
      for (const obj of objects) expect(() => validateObject(obj)).not.toThrow();
    });
  }

  test('when an object breaks its schema, then the validators notice (they are not vacuous)', () => {
    const [d] = byKind(renderPlatform(samplePlatform('dev')), 'Deployment') as Any[];
    expect(() => validateObject({ ...d, spec: { ...d.spec, replicas: '3' } })).toThrow(/replicas/);
    const [c] = byKind(renderPlatform(samplePlatform('dev')), 'Component') as Any[];
    expect(() => validateObject({ ...c, spec: { metadata: [] } })).toThrow(/type/);
  });

  test('when a Deployment is rendered, then it is locked down and carries the Dapr annotations', () => {
    const [d] = byKind(renderPlatform(samplePlatform('prod')), 'Deployment') as Any[];
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.resources.requests).toEqual({ cpu: '250m', memory: '256Mi' });
    expect(d.spec.template.metadata.annotations).toMatchObject({
      'dapr.io/enabled': 'true',
      'dapr.io/app-id': 'gateway',
      'dapr.io/app-port': '3000',
      'dapr.io/config': 'flock-config',
      'dapr.io/log-level': 'info',
      'dapr.io/sidecar-cpu-request': '100m',
      'dapr.io/sidecar-memory-limit': '1000Mi',
      'dapr.io/api-token-secret': 'flock-dapr-api-token',
    });
    // autoscaled: the HPA owns replicas
    expect(d.spec.replicas).toBeUndefined();
  });

  test('when state is on Postgres, then users, posts and comments get the v1 store (the one daprd serves queries from) and the others v2', () => {
    const comps = byKind(renderPlatform(samplePlatform('prod')), 'Component') as Any[];
    const store = (svc: string) => comps.find((c) => c.metadata.name === `${svc}-store`).spec;
    const values = (svc: string) =>
      Object.fromEntries(
        (store(svc).metadata as Any[]).filter((m) => m.value).map((m) => [m.name, m.value]),
      );
    for (const svc of ['users', 'posts', 'comments']) {
      expect(store(svc)).toMatchObject({ type: 'state.postgresql', version: 'v1' });
      expect(values(svc)).toEqual({
        tableName: `${svc}_state`,
        metadataTableName: `${svc}_dapr_metadata`,
      });
    }
    expect(store('follows')).toMatchObject({ type: 'state.postgresql', version: 'v2' });
    expect(values('follows')).toEqual({
      tablePrefix: 'follows_v2_',
      metadataTableName: 'follows_dapr_metadata',
    });
  });

  test('when state stores are rendered, then each is scoped to its own app-id and secrets come only by secretKeyRef', () => {
    const comps = byKind(renderPlatform(samplePlatform('prod')), 'Component') as Any[];
    const users = comps.find((c) => c.metadata.name === 'users-store');
    expect(users.scopes).toEqual(['users']);
    expect(users.spec.type).toBe('state.postgresql');
    expect(users.spec.metadata).toContainEqual({
      name: 'connectionString',
      secretKeyRef: { name: 'flock-postgres', key: 'connectionString' },
    });
    expect(comps.find((c) => c.metadata.name === 'analytics-store').spec.type).toBe(
      'state.mongodb',
    );
    const pubsub = comps.find((c) => c.metadata.name === 'pubsub');
    expect(pubsub.spec.type).toBe('pubsub.kafka');
    expect(pubsub.spec.version).toBe('v1');
    expect(pubsub.scopes).toHaveLength(9);
    for (const c of comps) {
      for (const m of c.spec.metadata) {
        if (/password|connectionString|brokers|redisHost|natsURL/i.test(m.name))
          expect(m.value).toBeUndefined();
      }
    }
  });

  test('when notifications and gateways run, then a broadcast pub/sub reaches every pod (one consumer group each), and its publishers may use it', () => {
    const comps = byKind(renderPlatform(samplePlatform('dev')), 'Component') as Any[];
    const broadcast = comps.find((c) => c.metadata.name === 'broadcast');
    expect([...broadcast.scopes].sort()).toEqual(['gateway', 'notifications', 'timeline', 'users']);
    expect(broadcast.spec.metadata).toContainEqual({ name: 'consumerID', value: '{podName}' });
    const platform = samplePlatform('dev');
    delete platform.spec.services.notifications;
    delete platform.spec.services.gateway;
    const without = byKind(renderPlatform(platform), 'Component') as Any[];
    expect(without.map((c) => c.metadata.name)).not.toContain('broadcast');
  });

  test("when a Deployment is rendered, then its env satisfies the services' own config schema", () => {
    for (const d of byKind(renderPlatform(samplePlatform('prod')), 'Deployment') as Any[]) {
      const container = d.spec.template.spec.containers[0];
      const env: Record<string, string> = Object.fromEntries(
        container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      // daprd's injector adds DAPR_HTTP_PORT to the app container.
      const config = loadConfig(baseConfigSchema, { ...env, DAPR_HTTP_PORT: '3500' });
      expect(config.APP_ID).toBe(d.spec.template.metadata.annotations['dapr.io/app-id']);
      expect(String(config.APP_PORT)).toBe(
        d.spec.template.metadata.annotations['dapr.io/app-port'],
      );
      expect(env).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.05',
      });
    }
  });

  test('when tracing has an endpoint, then the Configuration sends spans there at the sampling rate', () => {
    const [cfg] = byKind(renderPlatform(samplePlatform('prod')), 'Configuration') as Any[];
    expect(cfg.spec.tracing).toEqual({
      samplingRate: '0.05',
      otel: {
        endpointAddress: 'otel-collector.observability:4317',
        isSecure: false,
        protocol: 'grpc',
      },
    });
    expect(cfg.spec.mtls).toMatchObject({ enabled: true });
  });

  test('when network policies are rendered, then only the gateway accepts traffic from outside the platform', () => {
    const objs = renderPlatform(samplePlatform('dev'));
    const policies = byKind(objs, 'NetworkPolicy') as Any[];
    const internal = policies.find((p) => p.metadata.name === 'flock-internal');
    expect(internal.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'flock.dev/platform': 'flock' } } }] },
    ]);
    const open = policies.filter((p) => p.spec.ingress.some((r: Any) => !r.from));
    expect(open.map((p) => p.spec.podSelector.matchLabels['flock.dev/service'])).toEqual([
      'gateway',
    ]);
    // The PodMonitor's ports (app /metrics, daprd's 9090), from Prometheus's namespace only.
    const scrape = policies.find((p) => p.metadata.name === 'flock-metrics');
    expect(scrape.spec.ingress).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
        ports: [
          { protocol: 'TCP', port: 3000 },
          { protocol: 'TCP', port: 9090 },
        ],
      },
    ]);
    const [ing] = byKind(objs, 'Ingress') as Any[];
    expect(ing.spec.rules[0].http.paths[0].backend.service.name).toBe('flock-gateway');
  });

  test('when the platform has a uid, then every child is controlled by it', () => {
    for (const o of renderPlatform(samplePlatform('dev', 'uid-9'))) {
      expect(o.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'flock.dev/v1alpha1',
          kind: 'SocialPlatform',
          name: 'flock',
          uid: 'uid-9',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'flock-operator',
        'flock.dev/platform': 'flock',
      });
    }
  });

  test('when the CLI renders a sample file, then it prints the same objects as the reconciler renders', () => {
    const text = renderYaml(readFileSync(samplePath('dev'), 'utf8'));
    const printed = parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
    const dev = samplePlatform('dev');
    delete dev.metadata.namespace;
    expect(printed).toEqual(renderPlatform(dev));
  });

  test('when a sample asks for min > max replicas, then the CLI refuses with what to fix', () => {
    const text = readFileSync(samplePath('prod'), 'utf8').replace(
      'minReplicas: 2, maxReplicas: 10',
      'minReplicas: 5, maxReplicas: 3',
    );
    expect(() => renderYaml(text)).toThrow(
      /minReplicas \(5\) is greater than maxReplicas \(3\); lower minReplicas/,
    );
  });
});

describe('pod templates and the Dapr objects their sidecars load', () => {
  const template = (p: SocialPlatform, name: string) =>
    (
      renderPlatform(p).find((o) => o.kind === 'Deployment' && o.metadata.name === name)!
        .spec as Any
    ).template.metadata.annotations['flock.dev/dapr-hash'];

  test('when the pub/sub backend changes, then every pod template changes (so pods roll)', () => {
    const before = samplePlatform('dev');
    const after = samplePlatform('dev');
    after.spec.backends.pubsub = { type: 'kafka', secretRef: { name: 'flock-kafka' } };
    expect(template(after, 'flock-gateway')).not.toBe(template(before, 'flock-gateway'));
    expect(template(after, 'flock-posts')).not.toBe(template(before, 'flock-posts'));
  });

  test("when one service's own state store changes, then only that service's pods roll", () => {
    const before = samplePlatform('dev');
    const after = samplePlatform('dev');
    after.spec.services.posts!.state = { type: 'mongodb', secretRef: { name: 'flock-mongo' } };
    expect(template(after, 'flock-posts')).not.toBe(template(before, 'flock-posts'));
    expect(template(after, 'flock-users')).toBe(template(before, 'flock-users'));
  });
});
