/**
 * One real control plane with the CRDs, a namespace with the dev sample's Secrets, and the
 * operator running in-process, plus the probes integration tests share. The SocialPlatform
 * CRD comes from the chart's crds/ with kubectl, or through `helm install` of the whole chart.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@flock/kit';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { makeKubeClient, type KubeClient } from '../../src/runtime/client.js';
import { startOperator, type RunningOperator } from '../../src/run.js';
import type { Condition, SocialPlatform } from '../../src/api/types.js';
import { OWNED_KINDS } from '../../src/render/index.js';
import {
  installDependencyCrds,
  markDeploymentsReady,
  startCluster,
  type Cluster,
} from './cluster.js';
import { helmBinary } from './helm.js';
import { samplePath } from './platforms.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export const CHART = new URL('../../../charts/flock-operator', import.meta.url).pathname;
const CRD = join(CHART, 'crds/socialplatforms.flock.dev.yaml');

/** Polls `probe` every 100 ms until it returns something truthy. */
export async function until<T>(
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

export const devDocs = (): Any[] =>
  parseAllDocuments(readFileSync(samplePath('dev'), 'utf8')).map((d) => d.toJS() as Any);

/** The dev sample's backend Secrets, and the ones the services read by name (dummy values). */
export function createSampleSecrets(cluster: Cluster, namespace: string): void {
  for (const secret of devDocs().filter((d) => d.kind === 'Secret'))
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
}

export interface KubeEnv {
  cluster: Cluster;
  client: KubeClient;
  operator: RunningOperator;
  helm(args: string[]): string;
  createSecrets(namespace: string): void;
  platform(name?: string, ns?: string): Promise<SocialPlatform | undefined>;
  deployment(name: string, ns?: string): Promise<Any>;
  condition(type: string, name?: string, ns?: string): Promise<Condition | undefined>;
  reconcileCount(): Promise<number>;
  /** Waits until no reconcile has run for `quietMs`. */
  settle(quietMs?: number): Promise<void>;
  /** Pretends to be the kubelet + deployment controller: every Deployment reports ready. */
  markReady(ns?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startKubeEnv(
  assets: string,
  opts: { namespace: string; crdBy: 'kubectl' | 'helm' },
): Promise<KubeEnv> {
  const cluster = await startCluster(assets);
  const ns = opts.namespace;
  const helm = (args: string[]) =>
    execFileSync(helmBinary(), ['--kubeconfig', cluster.kubeconfig, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  // Dapr's and the Prometheus operator's CRDs, then the SocialPlatform CRD (kubectl or helm).
  installDependencyCrds(cluster);
  if (opts.crdBy === 'kubectl') cluster.kubectl(['apply', '--server-side', '-f', CRD]);
  else helm(['install', 'flock-operator', CHART, '-n', 'flock-system', '--create-namespace']);
  cluster.kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=30s',
    'crd/socialplatforms.flock.dev',
  ]);
  const createSecrets = (namespace: string) => createSampleSecrets(cluster, namespace);
  cluster.kubectl(['create', 'namespace', ns]);
  createSecrets(ns);
  const kubeConfig = () => {
    const c = new KubeConfig();
    c.loadFromFile(cluster.kubeconfig);
    return c;
  };
  const client = makeKubeClient(kubeConfig(), OWNED_KINDS);
  const operator = await startOperator({
    kubeConfig,
    log: createLogger('flock-operator', 'warn'),
    port: 0,
    metrics: { host: '127.0.0.1', port: 0 },
    leaderElection: { namespace: 'default', identity: 'test' },
  });

  const platform = (name = 'flock', namespace = ns) =>
    client.get<SocialPlatform>({
      apiVersion: 'flock.dev/v1alpha1',
      kind: 'SocialPlatform',
      namespace,
      name,
    });
  const reconcileCount = async () =>
    (await operator.metrics.reconciles.get()).values.reduce((n, v) => n + v.value, 0);
  return {
    cluster,
    client,
    operator,
    helm,
    createSecrets,
    platform,
    deployment: (name, namespace = ns) =>
      client.get<Any>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }),
    condition: async (type, name = 'flock', namespace = ns) =>
      (await platform(name, namespace))?.status?.conditions?.find((c) => c.type === type),
    reconcileCount,
    async settle(quietMs = 1500) {
      let last = -1;
      for (let n = await reconcileCount(); n !== last; n = await reconcileCount()) {
        last = n;
        await new Promise((r) => setTimeout(r, quietMs));
      }
    },
    async markReady(namespace = ns) {
      markDeploymentsReady(cluster, namespace);
    },
    async stop() {
      await operator.stop();
      cluster.stop();
    },
  };
}
