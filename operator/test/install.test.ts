/**
 * The chart and every object the operator renders, judged by a real kube-apiserver 1.34 that has
 * the CRDs a Flock cluster gets from elsewhere (Dapr's, the Prometheus operator's): server-side
 * apply with dryRun=All and strict field validation, so an unknown field, a wrong type or an
 * API version the server does not serve fails here. Then the chart is installed for real and the
 * operator runs under the chart's ServiceAccount (a token the apiserver issued for it, not admin)
 * and brings a SocialPlatform to Ready. Skipped without the binaries; failed instead when CI=true.
 */
import { execFileSync } from 'node:child_process';
import { createLogger } from '@flock/kit';
import { describeIfReachable, eventually } from '@flock/testing';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { makeKubeClient } from '../src/runtime/client.js';
import { OWNED_KINDS, renderPlatform } from '../src/render/index.js';
import { startOperator, type RunningOperator } from '../src/run.js';
import type { KubeObject, SocialPlatform } from '../src/api/types.js';
import {
  findAssets,
  installDependencyCrds,
  markDeploymentsReady,
  startCluster,
  type Cluster,
} from './helpers/cluster.js';
import { helmBinary } from './helpers/helm.js';
import { createSampleSecrets, devDocs } from './helpers/kube-env.js';
import { samplePlatform } from './helpers/platforms.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const assets = findAssets();
const describeCluster = describeIfReachable(
  assets.dir !== undefined,
  `the kube binaries: ${assets.reason}`,
);
const chart = new URL('../../charts/flock-operator', import.meta.url).pathname;
const RELEASE = 'flock-operator';
const OPERATOR_NS = 'flock-system';
/** Every optional object of the chart. */
const ALL_OPTIONS = [
  'monitoring.dashboards.enabled=true',
  'monitoring.podMonitor.enabled=true',
  'monitoring.podMonitor.labels.release=kube-prometheus-stack',
  'monitoring.prometheusRule.enabled=true',
].flatMap((s) => ['--set', s]);

/** Failures keep the tool's stderr: the apiserver's refusal is the message a user would see. */
function run(bin: string, args: string[], input?: string): string {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`${bin} ${args.slice(0, 3).join(' ')}: ${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

describeCluster('the chart and the rendered objects on a real apiserver', () => {
  let cluster: Cluster;
  let operator: RunningOperator | undefined;
  const helm = (args: string[]) => run(helmBinary(), [...args, '--kubeconfig', cluster.kubeconfig]);
  /** Server-side apply, dry run, as the operator's field manager; the names the server accepted. */
  const dryRunApply = (objects: KubeObject[]) =>
    run(
      'kubectl',
      [
        '--kubeconfig',
        cluster.kubeconfig,
        'apply',
        '--server-side',
        '--dry-run=server',
        '--validate=strict',
        '--field-manager=flock-operator',
        '--force-conflicts',
        '-o',
        'name',
        '-f',
        '-',
      ],
      objects.map((o) => stringify(o)).join('---\n'),
    )
      .trim()
      .split('\n');
  /** What `kubectl -o name` prints for each object: `kind.group/name`. */
  const names = (objects: KubeObject[]) =>
    objects.map((o) => {
      const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
      return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
    });

  beforeAll(async () => {
    cluster = await startCluster(assets.dir!);
    installDependencyCrds(cluster);
    cluster.kubectl(['create', 'namespace', 'flock']);
  }, 150_000);

  afterAll(async () => {
    await operator?.stop();
    cluster?.stop();
  });

  test('when the operator renders the samples, then the apiserver accepts every object as it is (autoscaling/v2, policy/v1, Dapr, Ingress, NetworkPolicy)', () => {
    for (const sample of ['dev', 'prod'] as const) {
      const objects = renderPlatform(
        samplePlatform(sample, 'f1f1f1f1-0000-4000-8000-000000000001'),
      );
      const kinds = new Set(objects.map((o) => `${o.apiVersion} ${o.kind}`));
      if (sample === 'prod')
        for (const k of [
          'autoscaling/v2 HorizontalPodAutoscaler',
          'policy/v1 PodDisruptionBudget',
          'networking.k8s.io/v1 NetworkPolicy',
          'networking.k8s.io/v1 Ingress',
          'dapr.io/v1alpha1 Component',
          'dapr.io/v1alpha1 Configuration',
          'dapr.io/v1alpha1 Resiliency',
        ])
          expect(kinds).toContain(k);
      expect(dryRunApply(objects).sort()).toEqual(names(objects).sort());
    }
  });

  test('when an object carries a field its schema lacks, then the dry run refuses it (the check is strict)', () => {
    const hpa = renderPlatform(samplePlatform('prod')).find(
      (o) => o.kind === 'HorizontalPodAutoscaler',
    )!;
    const stale = { ...hpa, spec: { ...(hpa as Any).spec, targetCPUUtilizationPercentage: 80 } };
    expect(() => dryRunApply([stale])).toThrow(
      /\.spec\.targetCPUUtilizationPercentage: field not declared in schema/,
    );
    const component = renderPlatform(samplePlatform('dev')).find((o) => o.kind === 'Component')!;
    const untyped = { ...component, spec: { ...(component as Any).spec, version: 2 } };
    expect(() => dryRunApply([untyped])).toThrow(/\.spec\.version: expected string/);
  });

  test('when the chart is templated with every option on, then the apiserver accepts every object, the monitoring ones included', () => {
    const objects = parseAllDocuments(
      // The CRD sits in the chart's crds/, which `helm template` leaves out unless asked.
      helm([
        'template',
        RELEASE,
        chart,
        '--namespace',
        OPERATOR_NS,
        '--include-crds',
        ...ALL_OPTIONS,
      ]),
    )
      .map((d) => d.toJS() as KubeObject)
      .filter(Boolean);
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining([
        'PodMonitor',
        'PrometheusRule',
        'ConfigMap',
        'CustomResourceDefinition',
      ]),
    );
    cluster.kubectl(['create', 'namespace', OPERATOR_NS]);
    expect(dryRunApply(objects).sort()).toEqual(names(objects).sort());
    expect(
      helm(['install', RELEASE, chart, '-n', OPERATOR_NS, '--dry-run=server', ...ALL_OPTIONS]),
    ).toMatch(/STATUS: pending-install/);
  });

  test('when the chart is installed, then the operator under its ServiceAccount reconciles a platform to Ready, with no more rights than it needs', async () => {
    expect(helm(['install', RELEASE, chart, '-n', OPERATOR_NS, ...ALL_OPTIONS])).toMatch(
      /STATUS: deployed/,
    );
    const sa = `system:serviceaccount:${OPERATOR_NS}:${RELEASE}`;
    const can = (...args: string[]) =>
      cluster.kubectl(['auth', 'can-i', ...args, `--as=${sa}`]).trim() === 'yes';
    const cannot = (...args: string[]) => {
      try {
        return cluster.kubectl(['auth', 'can-i', ...args, `--as=${sa}`]).trim() === 'no';
      } catch (e) {
        return /no/.test(String((e as { stdout?: string }).stdout));
      }
    };
    expect(can('get', 'secrets', '-n', 'flock')).toBe(true);
    expect(cannot('list', 'secrets', '-n', 'flock')).toBe(true);
    expect(cannot('update', 'socialplatforms', '-n', 'flock')).toBe(true);
    expect(cannot('create', 'pods', '-n', 'flock')).toBe(true);
    expect(cannot('create', 'clusterrolebindings')).toBe(true);
    expect(cannot('update', 'leases', '-n', 'kube-system')).toBe(true);

    createSampleSecrets(cluster, 'flock');

    const asOperator = cluster.kubeconfigFor(OPERATOR_NS, RELEASE);
    operator = await startOperator({
      kubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromFile(asOperator);
        return kc;
      },
      log: createLogger('flock-operator', 'error'),
      port: 0,
      leaderElection: { namespace: OPERATOR_NS, identity: 'under-the-chart-sa' },
    });
    cluster.kubectl(
      ['apply', '-n', 'flock', '-f', '-'],
      stringify(devDocs().find((d) => d.kind === 'SocialPlatform')),
    );
    const admin = new KubeConfig();
    admin.loadFromFile(cluster.kubeconfig);
    const client = makeKubeClient(admin, OWNED_KINDS);
    const platform = () =>
      client.get<SocialPlatform>({
        apiVersion: 'flock.dev/v1alpha1',
        kind: 'SocialPlatform',
        namespace: 'flock',
        name: 'flock',
      });
    const condition = async (type: string) =>
      (await platform())?.status?.conditions?.find((c) => c.type === type);
    await eventually(
      async () => ((await condition('Progressing'))?.reason === 'RollingOut' ? true : undefined),
      60_000,
    );
    markDeploymentsReady(cluster, 'flock');
    await eventually(
      async () => ((await condition('Ready'))?.status === 'True' ? true : undefined),
      30_000,
    );
    const stored = (await platform())!;
    const want = renderPlatform(stored);
    const kinds = [...new Set(want.map((o) => `${o.apiVersion} ${o.kind}`))];
    const present = new Set<string>();
    for (const k of kinds) {
      const [apiVersion, kind] = k.split(' ') as [string, string];
      for (const o of await client.list(apiVersion, kind, 'flock', 'flock.dev/platform=flock'))
        present.add(`${o.kind}/${o.metadata.name}`);
    }
    expect([...present].sort()).toEqual(want.map((o) => `${o.kind}/${o.metadata.name}`).sort());
    expect((await condition('Degraded'))?.status).toBe('False');
    const lease = JSON.parse(
      cluster.kubectl(['get', 'lease', 'flock-operator', '-n', OPERATOR_NS, '-o', 'json']),
    ) as Any;
    expect(lease.spec.holderIdentity).toBe('under-the-chart-sa');
    // Every write the operator made was its ServiceAccount's, and none was refused.
    expect((await operator.metrics.reconcileErrors.get()).values[0]?.value ?? 0).toBe(0);
    const requests = cluster.audit().filter((e) => e.user.username === sa);
    const used = new Set(
      requests.flatMap(({ verb, objectRef: r }) =>
        r?.resource
          ? [
              `${verb} ${r.apiGroup || 'core'}/${r.resource}${r.subresource ? `/${r.subresource}` : ''}`,
            ]
          : [],
      ),
    );
    console.log(
      `the operator's ServiceAccount used (watches aside): ${[...used].sort().join(', ')}`,
    );
    expect(used).toContain('patch apps/deployments');
    expect(used).toContain('patch flock.dev/socialplatforms/status');
    expect(requests.filter((e) => e.responseStatus?.code === 403)).toEqual([]);
    const users = JSON.parse(
      cluster.kubectl([
        'get',
        'deployment',
        'flock-users',
        '-n',
        'flock',
        '-o',
        'json',
        '--show-managed-fields',
      ]),
    ) as Any;
    expect(users.metadata.managedFields.map((f: Any) => f.manager)).toContain('flock-operator');
  }, 120_000);
});
