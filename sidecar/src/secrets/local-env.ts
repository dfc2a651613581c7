import type { ComponentContext } from '../components/context.js';
import type { SecretStore } from './store.js';

/** The sidecar's own credentials are never secrets an app may read (as in components-contrib). */
const isProtected = (name: string): boolean => name === 'APP_API_TOKEN' || name.startsWith('DAPR_');

/**
 * `secretstores.local.env`: secrets are environment variables. With `prefix`, only variables
 * starting with it are visible and the prefix is not part of the secret name. A missing variable is
 * an empty value (200 `{"K":""}`), not an error.
 */
export function createLocalEnvSecretStore(ctx: ComponentContext): SecretStore {
  const prefix = ctx.metadata.string('prefix', '');
  const read = (name: string): string =>
    isProtected(prefix + name) ? '' : (process.env[prefix + name] ?? '');
  return {
    async get(name) {
      return { [name]: read(name) };
    },
    async bulkGet() {
      const out: Record<string, Record<string, string>> = {};
      for (const env of Object.keys(process.env)) {
        if (!env.startsWith(prefix) || isProtected(env)) continue;
        const name = env.slice(prefix.length);
        out[name] = { [name]: read(name) };
      }
      return out;
    },
  };
}
