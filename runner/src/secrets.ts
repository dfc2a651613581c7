import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The local profiles' secret file (read by `secretstores.local.file`). Keys are generated on
 * first start and kept, so tokens stay valid across restarts; nothing secret is ever committed.
 */
export async function ensureSecrets(
  file: string,
  overrides: Record<string, string>,
  /** Written only when the file has no value yet (a hand-edited value is kept). */
  defaults: Record<string, string> = {},
): Promise<void> {
  let secrets: Record<string, string> = {};
  try {
    secrets = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!secrets['jwt-private-key'] || !secrets['jwt-public-key']) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    secrets['jwt-private-key'] = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    secrets['jwt-public-key'] = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
  for (const [k, v] of Object.entries(defaults)) secrets[k] ??= v;
  Object.assign(secrets, overrides);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
}
