/**
 * The operator against a real kube-apiserver 1.34 + etcd + garbage collector.
 * Skipped (with the reason) when the binaries are absent; failed instead when CI=true.
 */
import { stringify } from 'yaml';
import type { KubeClient } from '../src/runtime/client.js';
import { renderPlatform } from '../src/render/index.js';
import type { RunningOperator } from '../src/run.js';
import { SERVICE_NAMES } from '../src/api/types.js';
import { describeIfReachable } from '@flock/testing';
import { findAssets, type Cluster } from './helpers/cluster.js';
import { devDocs, startKubeEnv, until, type KubeEnv } from './helpers/kube-env.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const assets = findAssets();
const describeCluster = describeIfReachable(
  assets.dir !== undefined,
  `the kube binaries: ${assets.reason}`,
);
const NS = 'flock';

describeCluster('operator against a real apiserver', () => {
  let env: KubeEnv;
  let cluster: Cluster;
  let operator: RunningOperator;
  let client: KubeClient;
  /** What this apiserver serves (autoscaling/v2 and policy/v1 from 1.23 on). */
  const devPlatform = devDocs().find((d) => d.kind === 'SocialPlatform');
  const createSecrets = (ns: string) => env.createSecrets(ns);
  const platform = (name?: string, ns?: string) => env.platform(name, ns);
  const deployment = (name: string, ns?: string) => env.deployment(name, ns);
  const condition = (type: string, name?: string, ns?: string) => env.condition(type, name, ns);
  const reconcileCount = () => env.reconcileCount();
  const settle = (quietMs?: number) => env.settle(quietMs);
  const markReady = (ns?: string) => env.markReady(ns);

  beforeAll(async () => {
    env = await startKubeEnv(assets.dir!, { namespace: NS, crdBy: 'kubectl' });
    ({ cluster, operator, client } = env);
  }, 150_000);

  afterAll(async () => {
    await env?.stop();
  });

  test('when a SocialPlatform is applied, then every object is created and it turns Ready once Deployments are', async () => {
    const started = Date.now();
    cluster.kubectl(['apply', '-n', NS, '-f', '-'], stringify(devPlatform));
    const stored = await until('the platform', () => platform());
    const want = renderPlatform(stored).map((o) => `${o.kind}/${o.metadata.name}`);
    const kinds = [...new Set(renderPlatform(stored).map((o) => `${o.apiVersion} ${o.kind}`))];
    const present = async () => {
      const names = new Set<string>();
      for (const k of kinds) {
        const [apiVersion, kind] = k.split(' ') as [string, string];
        for (const o of await client.list(apiVersion, kind, NS, 'flock.dev/platform=flock'))
          names.add(`${o.kind}/${o.metadata.name}`);
      }
      return want.every((w) => names.has(w)) && names;
    };
    await until('all children', present);
    const created = Date.now();
    await until(
      'Progressing',
      async () => (await condition('Progressing'))?.reason === 'RollingOut',
    );
    markReady();
    await until('Ready=True', async () => (await condition('Ready'))?.status === 'True');
    const readyAt = Date.now();
    console.log(
      `apply → all ${want.length} children: ${created - started} ms; apply → Ready=True (incl. simulated kubelet): ${readyAt - started} ms`,
    );
    const p = (await platform())!;
    expect(p.status?.observedGeneration).toBe(p.metadata.generation);
    const n = Object.keys(p.spec.services).length;
    expect(p.status?.servicesReady).toBe(`${n}/${n}`);
    const d = await deployment('flock-users');
    expect(d.metadata.ownerReferences[0]).toMatchObject({
      kind: 'SocialPlatform',
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(d.metadata.managedFields.map((f: Any) => f.manager)).toContain('flock-operator');
    // The stored policy keeps its `from` (a typed-client round trip would have dropped it).
    const np = await client.get<Any>({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      namespace: NS,
      name: 'flock-internal',
    });
    expect(np.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'flock.dev/platform': 'flock' } } }] },
    ]);
    expect(cluster.kubectl(['get', 'sp', '-n', NS])).toMatch(
      new RegExp(`flock\\s+True\\s+AllServicesReady\\s+${n}/${n}`),
    );
    expect(
      cluster.kubectl([
        'get',
        'events',
        '-n',
        NS,
        '--field-selector',
        'reason=Applied',
        '-o',
        'name',
      ]),
    ).not.toBe('');
  }, 60_000);

  test('when the spec is edited, then the children follow', async () => {
    cluster.kubectl([
      'patch',
      'sp',
      'flock',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"dapr":{"logLevel":"warn"}}}',
    ]);
    await until(
      'log level warn',
      async () =>
        (await deployment('flock-users'))?.spec.template.metadata.annotations[
          'dapr.io/log-level'
        ] === 'warn',
    );
  });

  test('when an owned Deployment is deleted, then it is recreated', async () => {
    const before = (await deployment('flock-gateway')).metadata.uid;
    cluster.kubectl(['delete', 'deployment', 'flock-gateway', '-n', NS]);
    await until('recreated gateway', async () => {
      const d = await deployment('flock-gateway');
      return d && d.metadata.uid !== before;
    });
  });

  test('when a Deployment is scaled by hand, then the operator restores the replicas', async () => {
    cluster.kubectl(['scale', 'deployment', 'flock-users', '-n', NS, '--replicas=3']);
    await until(
      'replicas restored',
      async () => (await deployment('flock-users'))?.spec.replicas === 1,
    );
  });

  test('when a service is removed from the spec, then its objects are deleted', async () => {
    cluster.kubectl([
      'patch',
      'sp',
      'flock',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"services":{"users":null}}}',
    ]);
    await until('users objects gone', async () => {
      const left = cluster
        .kubectl([
          'get',
          'deploy,svc,sa,pdb,components.dapr.io',
          '-n',
          NS,
          '-l',
          'flock.dev/service=users',
          '-o',
          'name',
        ])
        .trim();
      const store = await client.get({
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        namespace: NS,
        name: 'users-store',
      });
      return left === '' && !store;
    });
    await until('status without users', async () => !(await platform())?.status?.services?.users);
  });

  test('when a spec breaks the schema, then the apiserver rejects it', () => {
    const bad = {
      ...devPlatform,
      metadata: { name: 'bad' },
      spec: {
        ...devPlatform.spec,
        backends: {
          ...devPlatform.spec.backends,
          state: { type: 'mysql', secretRef: { name: 'x' } },
        },
      },
    };
    expect(() => cluster.kubectl(['apply', '-n', NS, '-f', '-'], stringify(bad))).toThrow(
      /Unsupported value: "mysql"/,
    );
  });

  test('when a referenced Secret is missing, then Degraded says what to create and only the Components naming it are held back', async () => {
    const broken = {
      ...devPlatform,
      metadata: { name: 'broken' },
      spec: {
        ...devPlatform.spec,
        backends: {
          ...devPlatform.spec.backends,
          pubsub: { type: 'kafka', secretRef: { name: 'no-such-secret' } },
        },
      },
    };
    // Its own namespace: Dapr Component names (pubsub, secretstore) are per namespace.
    cluster.kubectl(['create', 'namespace', 'broken']);
    createSecrets('broken');
    cluster.kubectl(['apply', '-n', 'broken', '-f', '-'], stringify(broken));
    const degraded = await until('Degraded', async () => {
      const c = await condition('Degraded', 'broken', 'broken');
      return c?.status === 'True' && c;
    });
    expect(degraded.message).toMatch(
      /Secret "no-such-secret" \(for the kafka pub\/sub\) not found; create it with keys brokers/,
    );
    expect(degraded.reason).toBe('SecretMissing');
    await until('the rest applied', () => deployment('broken-gateway', 'broken'));
    const component = (name: string) =>
      client.get({ apiVersion: 'dapr.io/v1alpha1', kind: 'Component', namespace: 'broken', name });
    expect(await component('secretstore')).toBeDefined();
    expect(await component('pubsub')).toBeUndefined();
    cluster.kubectl(['delete', 'sp', 'broken', '-n', 'broken']);
  });

  test('when a ten-service platform is resynced with nothing changed, then it costs few requests and no writes', async () => {
    cluster.kubectl(['create', 'namespace', 'big']);
    createSecrets('big');
    const services = Object.fromEntries(
      SERVICE_NAMES.map((s, i) => [
        s,
        i % 3 === 0
          ? { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 4 } }
          : { replicas: 2 },
      ]),
    );
    cluster.kubectl(
      ['apply', '-n', 'big', '-f', '-'],
      stringify({
        ...devPlatform,
        metadata: { name: 'big' },
        spec: { ...devPlatform.spec, services },
      }),
    );
    await until(
      'big children',
      async () =>
        (await client.list('apps/v1', 'Deployment', 'big', 'flock.dev/platform=big')).length === 9,
    );
    await until(
      '3 HPAs (autoscaling/v2)',
      async () =>
        (
          await client.list(
            'autoscaling/v2',
            'HorizontalPodAutoscaler',
            'big',
            'flock.dev/platform=big',
          )
        ).length === 3,
    );
    markReady('big');
    await until(
      'big Ready',
      async () => (await condition('Ready', 'big', 'big'))?.status === 'True',
    );
    await settle();
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    const [r0, q0] = [await reconcileCount(), operator.requests()];
    operator.controller.queue.add('big/big');
    await until('the resync', async () => (await reconcileCount()) > r0);
    await settle(1000);
    const q1 = operator.requests();
    const byMethod = Object.fromEntries(
      Object.keys(q1)
        .map((m) => [m, q1[m]! - (q0[m] ?? 0)])
        .filter(([, n]) => n),
    );
    const reconciles = (await reconcileCount()) - r0;
    const objects = renderPlatform((await platform('big', 'big'))!).length;
    console.log(
      `no-op resync of a 9-service platform (${objects} objects): ${reconciles} reconcile(s), ${total(q1) - total(q0)} apiserver request(s) ${JSON.stringify(byMethod)}`,
    );
    expect(reconciles).toBe(1);
    // 1 GET platform + 5 GET Secret (2 backends, 3 the services read) + 10 LISTs (one per owned
    // kind); no PATCH, no status write.
    if (byMethod.PATCH)
      console.log(
        cluster.kubectl([
          'get',
          'events',
          '-n',
          'big',
          '-o',
          'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
        ]),
      );
    expect(byMethod).toEqual({ GET: 16 });
  }, 60_000);

  test('when the SocialPlatform is deleted, then the garbage collector removes every child', async () => {
    cluster.kubectl(['delete', 'sp', 'flock', '-n', NS, '--wait=false']);
    await until(
      'children collected',
      async () => {
        const left = cluster
          .kubectl([
            'get',
            'deploy,svc,sa,pdb,networkpolicy,ingress,components.dapr.io,configurations.dapr.io,resiliencies.dapr.io',
            '-n',
            NS,
            '-l',
            'flock.dev/platform=flock',
            '-o',
            'name',
          ])
          .trim();
        return left === '';
      },
      60_000,
    );
  }, 70_000);

  test('when the operator is running, then it holds the Lease, says so in /readyz and the leader gauge, and serves /metrics on loopback only', async () => {
    const lease = JSON.parse(
      cluster.kubectl(['get', 'lease', 'flock-operator', '-n', 'default', '-o', 'json']),
    ) as Any;
    expect(lease.spec.holderIdentity).toBe('test');
    const port = (operator.server.address() as { port: number }).port;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).text()).toBe('leader');
    const address = operator.metricsServer.address() as { address: string; port: number };
    // Unauthenticated, so loopback only unless the chart is told otherwise.
    expect(address.address).toBe('127.0.0.1');
    const metrics = await (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();
    expect(metrics).toMatch(/^flock_operator_leader 1$/m);
    for (const m of [
      'flock_operator_reconcile_total',
      'flock_operator_reconcile_duration_seconds',
      'flock_operator_queue_depth',
      'flock_operator_apiserver_requests_total',
      'flock_operator_reconcile_errors_total',
    ]) {
      expect(metrics).toContain(m);
    }
  });
});
