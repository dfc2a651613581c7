/**
 * A real control plane for integration tests: etcd + kube-apiserver (+ kube-controller-manager
 * running only the garbage collector, so cascading deletes happen and nothing else writes
 * Deployment status). Binaries come from $KUBEBUILDER_ASSETS (envtest layout), built by
 * scripts/kube/build-assets.sh. Everything listens on free loopback ports with temp data dirs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cluster {
  kubeconfig: string;
  kubectl(args: string[], input?: string): string;
  stop(): void;
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
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
  run('kube-apiserver', [
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
  ]);

  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:${apiPort}", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: ${token}}}]
contexts: [{name: test, context: {cluster: test, user: admin, namespace: default}}]
current-context: test
`,
  );
  const deadline = Date.now() + 90_000;
  while (!(await ready(apiPort, token))) {
    if (Date.now() > deadline) {
      stop();
      throw new Error('kube-apiserver did not become ready in 90 s');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
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
  return { kubeconfig, kubectl, stop };
}
