/** Sample platforms, defaulted exactly as the apiserver would do it. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { defaultAndValidate } from '../../src/api/validation.js';
import type { SocialPlatform } from '../../src/api/types.js';

export const samplePath = (name: 'dev' | 'prod') =>
  new URL(`../../../charts/flock-operator/samples/${name}.yaml`, import.meta.url);

export function samplePlatform(name: 'dev' | 'prod', uid?: string): SocialPlatform {
  const raw = parseAllDocuments(readFileSync(samplePath(name), 'utf8'))
    .map((d) => d.toJS() as { kind?: string })
    .find((d) => d?.kind === 'SocialPlatform');
  const platform = defaultAndValidate(raw);
  platform.metadata.namespace = 'flock';
  if (uid) platform.metadata.uid = uid;
  return platform;
}
