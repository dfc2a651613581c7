import { createLogger } from '@flock/kit';
import { ApiException } from '@kubernetes/client-node';
import { makeRecorder } from '../src/runtime/events.js';
import { reconcile, type ReconcileDeps } from '../src/controller/reconcile.js';
import type { KubeObject, SocialPlatform } from '../src/api/types.js';
import { FakeClient } from './helpers/fake-client.js';
import { samplePlatform } from './helpers/platforms.js';

const clock = { now: () => new Date('2026-02-01T10:00:00.000Z') };
const log = createLogger('test', 'silent');
const KEY = 'flock/flock';

function setup(platform: SocialPlatform = samplePlatform('dev')) {
  const client = new FakeClient();
  client.put(platform as KubeObject);
  // The dev sample's backends, and what the services read by name through the secret store.
  const secrets: Record<string, Record<string, string>> = {
    'flock-redis': { redisHost: 'eA==', redisPassword: '' },
    'flock-postgres': { connectionString: 'eA==' },
    'jwt-private-key': { 'jwt-private-key': 'eA==' },
    'jwt-public-key': { 'jwt-public-key': 'eA==' },
    'postgres-url': { 'postgres-url': 'eA==' },
  };
  for (const [name, data] of Object.entries(secrets)) {
    client.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'flock' }, data });
  }
  const deps: ReconcileDeps = {
    client,
    clock,
    log,
    events: makeRecorder(client, clock, log),
  };
  const current = () => client.objects.get('SocialPlatform/flock/flock') as SocialPlatform;
  return { client, deps, current };
}
const condition = (p: SocialPlatform, type: string) =>
  p.status?.conditions?.find((c) => c.type === type);

describe('reconcile', () => {
  test('when a platform is new, then every child is applied and status says Progressing', async () => {
    const { client, deps, current } = setup();
    const result = await reconcile(KEY, deps);
    expect(result.requeueAfterMs).toBeGreaterThan(0);
    const kinds = new Set([...client.objects.values()].map((o) => o.kind));
    for (const k of [
      'Deployment',
      'Service',
      'ServiceAccount',
      'PodDisruptionBudget',
      'Component',
      'Configuration',
      'Resiliency',
      'NetworkPolicy',
      'Ingress',
    ])
      expect(kinds).toContain(k);
    expect(condition(current(), 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollingOut',
      observedGeneration: 1,
    });
    expect(condition(current(), 'Ready')?.status).toBe('False');
    expect(current().status?.observedGeneration).toBe(1);
    expect(client.events.map((e) => e.reason)).toEqual(['Applied']);
  });

  test('when nothing changed, then a second reconcile writes nothing', async () => {
    const { client, deps } = setup();
    await reconcile(KEY, deps);
    client.writes.length = 0;
    await reconcile(KEY, deps);
    expect(client.writes).toEqual([]);
  });

  test('when Deployments report ready replicas, then Ready=True', async () => {
    const { client, deps, current } = setup();
    await reconcile(KEY, deps);
    for (const o of client.objects.values()) {
      if (o.kind === 'Deployment')
        client.put({
          ...o,
          status: { observedGeneration: o.metadata.generation, readyReplicas: 1, replicas: 1 },
        });
    }
    await reconcile(KEY, deps);
    expect(condition(current(), 'Ready')).toMatchObject({
      status: 'True',
      reason: 'AllServicesReady',
    });
    const n = Object.keys(current().spec.services).length;
    expect(current().status?.servicesReady).toBe(`${n}/${n}`);
  });

  test('when a service leaves the spec, then its objects are deleted', async () => {
    const { client, deps, current } = setup();
    await reconcile(KEY, deps);
    const p = current();
    delete p.spec.services.users;
    client.put(p as KubeObject);
    await reconcile(KEY, deps);
    const names = [...client.objects.values()].map((o) => o.metadata.name);
    expect(names.filter((n) => n.includes('users'))).toEqual([]);
    expect(client.writes).toContain('delete Deployment/flock-users');
    expect(current().status?.services).not.toHaveProperty('users');
  });

  test('when the referenced Secret is missing, then Degraded says which Secret and keys to create and only what needs it is held back', async () => {
    const { client, deps, current } = setup();
    client.objects.delete('Secret/flock/flock-redis');
    const result = await reconcile(KEY, deps);
    expect(result.requeueAfterMs).toBe(30_000);
    expect(condition(current(), 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'SecretMissing',
    });
    expect(condition(current(), 'Degraded')?.message).toMatch(
      /Secret "flock-redis" .* not found; create it with keys redisHost, redisPassword\./,
    );
    const names = [...client.objects.values()].map((o) => `${o.kind}/${o.metadata.name}`);
    // The pub/sub Components read flock-redis; the Deployments, policies and Ingress do not.
    expect(names).not.toContain('Component/pubsub');
    expect(names).toContain('Deployment/flock-gateway');
    expect(names).toContain('NetworkPolicy/flock-internal');
    expect(client.events.map((e) => e.type)).toEqual(['Normal', 'Warning']);
  });

  test('when the Dapr API token and TLS Secrets are named but missing, then both are reported', async () => {
    const p = samplePlatform('dev');
    p.spec.dapr.apiTokenSecret = 'flock-dapr-api-token';
    p.spec.ingress = { host: 'flock.example', tlsSecretName: 'flock-tls' };
    const { client, deps, current } = setup(p);
    await reconcile(KEY, deps);
    const message = condition(current(), 'Degraded')?.message;
    expect(message).toMatch(/Secret "flock-dapr-api-token" \(for the Dapr API token\) not found/);
    expect(message).toMatch(/Secret "flock-tls" \(for the Ingress TLS certificate\) not found/);
    const kinds = [...client.objects.values()].map((o) => o.kind);
    // Sidecars that require a token that does not exist would not start; the Ingress needs its certificate.
    expect(kinds).not.toContain('Deployment');
    expect(kinds).not.toContain('Ingress');
    expect(kinds).toContain('Service');
  });

  test('when the apiserver refuses one child, then the others are still applied and Degraded names it in one sentence', async () => {
    const { client, deps, current } = setup();
    const apply = client.apply.bind(client);
    client.apply = async (obj: KubeObject) => {
      if (obj.metadata.name === 'flock-posts' && obj.kind === 'Deployment')
        throw new ApiException(
          422,
          'Unprocessable',
          JSON.stringify({
            kind: 'Status',
            message:
              'Deployment.apps "flock-posts" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "50m": must be less than or equal to cpu limit of 10m',
          }),
          { 'content-type': 'application/json' },
        );
      return apply(obj);
    };
    const result = await reconcile(KEY, deps);
    expect(result.requeueAfterMs).toBe(30_000);
    const names = [...client.objects.values()].map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toContain('NetworkPolicy/flock-internal');
    expect(names).toContain('Ingress/flock-gateway');
    expect(condition(current(), 'Degraded')).toMatchObject({
      reason: 'ApplyFailed',
      message:
        'Deployment/flock-posts could not be applied: the apiserver answered 422: Deployment.apps "flock-posts" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "50m": must be less than or equal to cpu limit of 10m.',
    });
  });

  test('when a Deployment exceeded its progress deadline, then Degraded and Progressing say RolloutStuck', async () => {
    const { client, deps, current } = setup();
    await reconcile(KEY, deps);
    const d = client.objects.get('Deployment/flock/flock-posts')!;
    client.put({
      ...d,
      status: {
        observedGeneration: d.metadata.generation,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    });
    await reconcile(KEY, deps);
    expect(condition(current(), 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'RolloutStuck',
    });
    expect(condition(current(), 'Degraded')?.message).toMatch(
      /flock-posts exceeded its progress deadline/,
    );
    expect(condition(current(), 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutStuck',
    });
  });

  test('when the token keys the services read are missing, then Degraded names the Secret to create', async () => {
    const { client, deps, current } = setup();
    client.objects.delete('Secret/flock/jwt-private-key');
    await reconcile(KEY, deps);
    expect(condition(current(), 'Degraded')?.message).toMatch(
      /Secret "jwt-private-key" \(for the access tokens\) not found; create it with keys jwt-private-key/,
    );
  });

  test("when state is on Redis, then Degraded explains that Dapr's Redis transactions do not roll back", async () => {
    const platform = samplePlatform('dev');
    platform.spec.backends.state = { type: 'redis', secretRef: { name: 'flock-redis' } };
    const { deps, current } = setup(platform);
    await reconcile(KEY, deps);
    expect(condition(current(), 'Degraded')?.message).toMatch(
      /spec\.backends\.state\.type is redis.*does not roll back.*use postgresql or mongodb/,
    );
  });

  test('when min > max replicas, then Degraded explains the fix', async () => {
    const p = samplePlatform('dev');
    p.spec.services.users!.autoscaling = {
      enabled: true,
      minReplicas: 4,
      maxReplicas: 2,
      targetCPUUtilizationPercentage: 80,
    };
    const { deps, current } = setup(p);
    await reconcile(KEY, deps);
    expect(condition(current(), 'Degraded')?.message).toMatch(
      /minReplicas \(4\) is greater than maxReplicas \(2\)/,
    );
  });

  test('when the platform is gone, then there is nothing to do', async () => {
    const { client, deps } = setup();
    client.objects.clear();
    expect(await reconcile(KEY, deps)).toEqual({});
  });
});
