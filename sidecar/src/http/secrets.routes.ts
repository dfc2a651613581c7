import type { Components, LoadedSecretStore } from '../components/registry.js';
import { ApiError, sendJson } from './errors.js';
import type { RouteRequest, Router } from './router.js';

/** The secrets API (daprd pkg/api/http/secrets.go); `bulk` is registered before `{key}`. */
export function registerSecretsRoutes(router: Router, components: Components): void {
  const storeOf = (req: RouteRequest): LoadedSecretStore => {
    if (components.secrets.size === 0)
      throw new ApiError(500, 'ERR_SECRET_STORES_NOT_CONFIGURED', 'secret store is not configured');
    const name = req.params.store as string;
    const s = components.secrets.get(name);
    // daprd answers 401 here (its docs say 400).
    if (!s)
      throw new ApiError(
        401,
        'ERR_SECRET_STORE_NOT_FOUND',
        `failed finding secret store with key ${name}`,
      );
    return s;
  };

  router.add(['GET'], '/v1.0/secrets/:store/bulk', async (req, res) => {
    const s = storeOf(req);
    try {
      sendJson(res, 200, await s.store.bulkGet());
    } catch (err) {
      throw new ApiError(
        500,
        'ERR_SECRET_GET',
        `failed getting secrets from secret store ${s.name}: ${(err as Error).message}`,
      );
    }
  });

  router.add(['GET'], '/v1.0/secrets/:store/:key', async (req, res) => {
    const s = storeOf(req);
    const key = req.params.key as string;
    try {
      sendJson(res, 200, await s.store.get(key));
    } catch (err) {
      throw new ApiError(
        500,
        'ERR_SECRET_GET',
        `failed getting secret with key ${key} from secret store ${s.name}: ${(err as Error).message}`,
      );
    }
  });
}
