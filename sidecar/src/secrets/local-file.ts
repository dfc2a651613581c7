import { readFile } from 'node:fs/promises';
import type { ComponentContext } from '../components/context.js';
import { SecretNotFoundError, type SecretStore } from './store.js';

/**
 * `secretstores.local.file`: a JSON file read once at startup. Nested objects are flattened with
 * `nestedSeparator` (`a:b:c`, arrays by index). With `multiValued: true` each top-level key is a
 * secret whose (flattened) children form its key/value map.
 */
export async function createLocalFileSecretStore(ctx: ComponentContext): Promise<SecretStore> {
  const md = ctx.metadata;
  const file = md.required('secretsFile');
  const separator = md.string('nestedSeparator', ':');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${md.origin}: cannot read secretsFile ${file}: ${(err as Error).message}`);
  }
  const secrets: Record<string, Record<string, string>> = {};
  if (md.bool('multiValued', false) && isObject(json)) {
    for (const [name, value] of Object.entries(json)) {
      secrets[name] =
        isObject(value) || Array.isArray(value)
          ? flatten(value, '', separator)
          : { [name]: text(value) };
    }
  } else {
    for (const [name, value] of Object.entries(flatten(json, '', separator)))
      secrets[name] = { [name]: value };
  }
  return {
    async get(name) {
      const secret = secrets[name];
      if (!secret) throw new SecretNotFoundError(`secret ${name} not found`);
      return secret;
    },
    async bulkGet() {
      return secrets;
    },
  };
}

function flatten(
  value: unknown,
  path: string,
  sep: string,
  out: Record<string, string> = {},
): Record<string, string> {
  if (isObject(value) || Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      flatten(v, path ? `${path}${sep}${k}` : k, sep, out);
  } else {
    out[path] = text(value);
  }
  return out;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
