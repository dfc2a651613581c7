/**
 * A real control plane for integration tests: etcd + kube-apiserver (+ kube-controller-manager
 * running only the garbage collector, so cascading deletes happen and nothing else writes
 * Deployment status). Binaries come from $KUBEBUILDER_ASSETS (envtest layout), built by
 * scripts/kube/build-assets.sh (Kubernetes 1.34). Everything listens on free loopback ports with
 * temp data dirs. The admin authenticates with a static token; ServiceAccount tokens (TokenRequest)
 * are signed with a key made per cluster, so a test can act as a ServiceAccount under RBAC.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@flock/testing';

export interface Cluster {
  /** The admin's kubeconfig (system:masters). */
  kubeconfig: string;
  kubectl(args: string[], input?: string): string;
  /** A kubeconfig that authenticates as a ServiceAccount, with a token the apiserver issued. */
  kubeconfigFor(namespace: string, serviceAccount: string): string;
  /** The apiserver's audit log so far: every request a ServiceAccount made (Metadata level). */
  audit(): AuditEvent[];
  /** Kills kube-apiserver (SIGKILL, as a crash) and starts it again on the same port and etcd. */
  restartApiserver(): Promise<void>;
  stop(): void;
}

export interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string; namespace?: string };
  responseStatus?: { code: number };
}

/** The assets dir, or why there is none. */
export function findAssets(): { dir?: string; reason?: string } {
  const dir = process.env.KUBEBUILDER_ASSETS;
  if (!dir)
    return {
      reason:
        'KUBEBUILDER_ASSETS is not set (run scripts/kube/build-assets.sh and export its output)',
    };
  const missing = ['etcd', 'kube-apiserver', 'kube-controller-manager'].filter(
    (b) => !existsSync(join(dir, b)),
  );
  return missing.length ? { reason: `${dir} lacks ${missing.join(', ')}` } : { dir };
}

function ready(port: number, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/readyz',
        rejectUnauthorized: false,
        headers: { Authorization: `Bearer ${token}` },
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function startCluster(assets: string): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'flock-kube-'));
  const procs: ChildProcess[] = [];
  const token = 'flock-test-admin-token';
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const run = (bin: string, args: string[]) => {
    const p = spawn(join(assets, bin), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    p.stderr!.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
    p.on(
      'exit',
      (code) => code && code !== 0 && !stopped && console.error(`${bin} exited ${code}: ${tail}`),
    );
    procs.push(p);
    return p;
  };
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const p of procs.reverse())
      if (p.pid && p.exitCode === null) process.kill(p.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  run('etcd', [
    '--data-dir',
    join(dir, 'etcd'),
    '--listen-client-urls',
    etcdUrl,
    '--advertise-client-urls',
    etcdUrl,
    '--listen-peer-urls',
    peerUrl,
    '--initial-advertise-peer-urls',
    peerUrl,
    '--initial-cluster',
    `default=${peerUrl}`,
  ]);

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
  writeFileSync(
    join(dir, 'audit-policy.yaml'),
    `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: Metadata
    userGroups: ['system:serviceaccounts']
  - level: None
`,
  );
  const apiserverArgs = [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, 'certs')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--advertise-address=127.0.0.1',
    '--disable-admission-plugins=ServiceAccount',
    `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
    `--audit-log-path=${join(dir, 'audit.log')}`,
  ];
  let apiserver = run('kube-apiserver', apiserverArgs);

  const writeKubeconfig = (name: string, userToken: string) => {
    const path = join(dir, `kubeconfig-${name}`);
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:${apiPort}", insecure-skip-tls-verify: true}}]
users: [{name: user, user: {token: ${userToken}}}]
contexts: [{name: test, context: {cluster: test, user: user, namespace: default}}]
current-context: test
`,
    );
    return path;
  };
  const kubeconfig = writeKubeconfig('admin', token);
  const waitReady = async (pollMs: number) => {
    const deadline = Date.now() + 90_000;
    while (!(await ready(apiPort, token))) {
      if (Date.now() > deadline) {
        stop();
        throw new Error('kube-apiserver did not become ready in 90 s');
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  await waitReady(500);
  run('kube-controller-manager', [
    `--kubeconfig=${kubeconfig}`,
    '--controllers=garbagecollector',
    '--leader-elect=false',
    '--secure-port=0',
  ]);
  const kubectl = (args: string[], input?: string) =>
    execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  const kubeconfigFor = (namespace: string, serviceAccount: string) =>
    writeKubeconfig(
      `${namespace}-${serviceAccount}`,
      kubectl(['create', 'token', serviceAccount, '-n', namespace, '--duration=1h']).trim(),
    );
  const audit = () =>
    existsSync(join(dir, 'audit.log'))
      ? readFileSync(join(dir, 'audit.log'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as AuditEvent)
      : [];
  const restartApiserver = async () => {
    const old = apiserver;
    if (old.exitCode === null && old.signalCode === null) {
      const exited = new Promise((resolve) => old.once('exit', resolve));
      process.kill(old.pid!, 'SIGKILL');
      await exited;
    }
    procs.splice(procs.indexOf(old), 1);
    apiserver = run('kube-apiserver', apiserverArgs);
    await waitReady(100);
  };
  return { kubeconfig, kubectl, kubeconfigFor, audit, restartApiserver, stop };
}

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url).pathname;

/**
 * The CRDs a cluster running Flock has from elsewhere: Dapr's (scripts/dapr/sync-crds.sh) and
 * the Prometheus operator's PodMonitor and PrometheusRule (scripts/kube/sync-prometheus-crds.sh).
 */
export function installDependencyCrds(cluster: Cluster): void {
  const crds = [
    ...['components', 'configuration', 'resiliency', 'subscription'].map((k) =>
      fixture(`dapr/${k}.crd.yaml`),
    ),
    ...['podmonitors', 'prometheusrules'].map((k) => fixture(`prometheus/${k}.crd.yaml`)),
  ];
  cluster.kubectl(['apply', '--server-side', ...crds.flatMap((f) => ['-f', f])]);
  cluster.kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=30s',
    ...['components', 'configurations', 'resiliencies', 'subscriptions'].map(
      (p) => `crd/${p}.dapr.io`,
    ),
    ...['podmonitors', 'prometheusrules'].map((p) => `crd/${p}.monitoring.coreos.com`),
  ]);
}

/** Plays the kubelet and the deployment controller: every operator-managed Deployment reports ready. */
export function markDeploymentsReady(cluster: Cluster, namespace: string): void {
  const list = JSON.parse(
    cluster.kubectl([
      'get',
      'deployments',
      '-n',
      namespace,
      '-l',
      'app.kubernetes.io/managed-by=flock-operator',
      '-o',
      'json',
    ]),
  ) as { items: { metadata: { name: string; generation: number }; spec: { replicas?: number } }[] };
  for (const d of list.items) {
    const n = d.spec.replicas ?? 1;
    const status = {
      observedGeneration: d.metadata.generation,
      replicas: n,
      readyReplicas: n,
      availableReplicas: n,
      updatedReplicas: n,
    };
    cluster.kubectl([
      'patch',
      'deployment',
      d.metadata.name,
      '-n',
      namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
  }
}
