/**
 * The operator against a real kube-apiserver 1.34 + etcd + garbage collector.
 * Skipped (with the reason) when the binaries are absent; failed instead when CI=true.
 */
import { readFileSync } from 'node:fs';
import { createLogger } from '@flock/kit';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { makeKubeClient, type KubeClient } from '../src/client.js';
import { LATEST_CAPS as CAPS, renderPlatform } from '../src/render/index.js';
import { startOperator, type RunningOperator } from '../src/run.js';
import { SERVICE_NAMES, type SocialPlatform } from '../src/types.js';
import { describeIfReachable } from '@flock/testing';
import {
  findAssets,
  installDependencyCrds,
  markDeploymentsReady,
  startCluster,
  type Cluster,
} from './helpers/cluster.js';
import { samplePath } from './helpers/platforms.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const assets = findAssets();
const describeCluster = describeIfReachable(
  assets.dir !== undefined,
  `the kube binaries: ${assets.reason}`,
);
const NS = 'flock';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeCluster('operator against a real apiserver', () => {
  let cluster: Cluster;
  let operator: RunningOperator;
  let client: KubeClient;
  const devDocs = parseAllDocuments(readFileSync(samplePath('dev'), 'utf8')).map(
    (d) => d.toJS() as Any,
  );
  /** The dev sample's backend Secrets, and the ones the services read by name (dummy values). */
  const createSecrets = (namespace: string) => {
    for (const secret of devDocs.filter((d) => d.kind === 'Secret'))
      cluster.kubectl(['apply', '-n', namespace, '-f', '-'], stringify(secret));
    for (const name of ['jwt-private-key', 'jwt-public-key', 'postgres-url'])
      cluster.kubectl([
        'create',
        'secret',
        'generic',
        name,
        '-n',
        namespace,
        `--from-literal=${name}=x`,
      ]);
  };
  const devPlatform = devDocs.find((d) => d.kind === 'SocialPlatform');

  const platform = (name = 'flock', ns = NS) =>
    client.get<SocialPlatform>({
      apiVersion: 'flock.dev/v1alpha1',
      kind: 'SocialPlatform',
      namespace: ns,
      name,
    });
  const deployment = (name: string, ns = NS) =>
    client.get<Any>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name });
  const condition = async (type: string, name = 'flock', ns = NS) =>
    (await platform(name, ns))?.status?.conditions?.find((c) => c.type === type);
  const reconcileCount = async () =>
    (await operator.metrics.reconciles.get()).values.reduce((n, v) => n + v.value, 0);
  /** Waits until no reconcile has run for `quietMs`. */
  const settle = async (quietMs = 1500) => {
    let last = -1;
    for (let n = await reconcileCount(); n !== last; n = await reconcileCount()) {
      last = n;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  };
  const markReady = (ns = NS) => markDeploymentsReady(cluster, ns);

  beforeAll(async () => {
    cluster = await startCluster(assets.dir!);
    installDependencyCrds(cluster);
    const crd = new URL('../../charts/flock-operator/templates/crd.yaml', import.meta.url).pathname;
    cluster.kubectl(['apply', '-f', crd]);
    cluster.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=30s',
      'crd/socialplatforms.flock.dev',
    ]);
    cluster.kubectl(['create', 'namespace', NS]);
    createSecrets(NS);
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    client = makeKubeClient(kc);
    const kubeConfig = () => {
      const c = new KubeConfig();
      c.loadFromFile(cluster.kubeconfig);
      return c;
    };
    operator = await startOperator({
      kubeConfig,
      log: createLogger('flock-operator', 'warn'),
      port: 0,
      leaderElection: { namespace: 'default', identity: 'test' },
    });
  }, 150_000);

  afterAll(async () => {
    await operator?.stop();
    cluster?.stop();
  });

  test('when a SocialPlatform is applied, then every object is created and it turns Ready once Deployments are', async () => {
    const started = Date.now();
    cluster.kubectl(['apply', '-n', NS, '-f', '-'], stringify(devPlatform));
    const stored = await until('the platform', () => platform());
    const want = renderPlatform(stored, CAPS).map((o) => `${o.kind}/${o.metadata.name}`);
    const kinds = [
      ...new Set(renderPlatform(stored, CAPS).map((o) => `${o.apiVersion} ${o.kind}`)),
    ];
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
      new RegExp(`flock\\s+True\\s+${n}/${n}`),
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

  test('when a referenced Secret is missing, then Degraded says what to create and nothing is deployed', async () => {
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
    cluster.kubectl(['apply', '-n', NS, '-f', '-'], stringify(broken));
    const degraded = await until('Degraded', async () => {
      const c = await condition('Degraded', 'broken');
      return c?.status === 'True' && c;
    });
    expect(degraded.message).toMatch(
      /Secret "no-such-secret" \(for the kafka pub\/sub\) not found; create it with keys brokers/,
    );
    expect(await deployment('broken-gateway')).toBeUndefined();
    cluster.kubectl(['delete', 'sp', 'broken', '-n', NS]);
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
    const objects = renderPlatform((await platform('big', 'big'))!, CAPS).length;
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

  test('when the operator is running, then it holds the Lease and serves /metrics and /healthz', async () => {
    const lease = JSON.parse(
      cluster.kubectl(['get', 'lease', 'flock-operator', '-n', 'default', '-o', 'json']),
    ) as Any;
    expect(lease.spec.holderIdentity).toBe('test');
    const port = (operator.server.address() as { port: number }).port;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
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
