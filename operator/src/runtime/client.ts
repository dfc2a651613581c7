/**
 * The operator's only door to the apiserver. The reconciler depends on the `KubeClient`
 * interface, so unit tests pass an in-memory double and integration tests the real thing.
 */
import {
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
// Not re-exported from the package root in 1.4.0; this is the instance KubernetesObjectApi uses.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { isNotFound } from './errors.js';
import {
  FIELD_MANAGER,
  GROUP,
  PLURAL,
  VERSION,
  type KubeObject,
  type SocialPlatformStatus,
} from '../api/types.js';

export interface KindRef {
  apiVersion: string;
  kind: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface KubeClient {
  /** The object, or undefined when it does not exist. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  list(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector: string,
  ): Promise<KubeObject[]>;
  /** Server-side apply as `flock-operator` (or `fieldManager`); `force` takes fields over from other managers. */
  apply(obj: KubeObject, force: boolean, fieldManager?: string): Promise<KubeObject>;
  /** Deletes in the background (dependents via the garbage collector); absent is fine. */
  delete(ref: ObjectRef): Promise<void>;
  /** Merge-patches the platform's /status subresource (never the main resource). */
  patchStatus(namespace: string, name: string, status: SocialPlatformStatus): Promise<void>;
  createEvent(event: KubeObject): Promise<void>;
}

/** Typed client models carry Dates and classes; the operator works on plain JSON. */
const plain = <T>(x: unknown): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * client-node converts known kinds to its model classes on the way in and out, and those
 * rename fields (NetworkPolicy `from` is `_from`): a plain `from` would be silently dropped
 * from an apply. The operator speaks plain JSON, so the kinds it is given (and their lists)
 * pass through. The registry is global and refuses a kind twice, hence the set.
 */
const registered = new Set<string>();
function registerPlainJson(kinds: readonly KindRef[]): void {
  const passThrough = { serialize: (d: unknown) => d, deserialize: (d: unknown) => d };
  for (const { apiVersion, kind } of kinds) {
    const [group, version] = apiVersion.includes('/')
      ? (apiVersion.split('/') as [string, string])
      : ['', apiVersion];
    for (const k of [kind, `${kind}List`]) {
      if (registered.has(`${apiVersion}/${k}`)) continue;
      registered.add(`${apiVersion}/${k}`);
      ObjectSerializer.registerModel({ group, version, kind: k }, passThrough);
    }
  }
}

/**
 * Reports every HTTP request made through `kc` (API calls and watches) with its method, by
 * wrapping the two hooks client-node 1.x calls once per request. Returns `kc` for chaining.
 */
export function countRequests(kc: KubeConfig, onRequest: (method: string) => void): KubeConfig {
  const auth = kc.applySecurityAuthentication.bind(kc);
  const fetchOptions = kc.applyToFetchOptions.bind(kc);
  kc.applySecurityAuthentication = (ctx) => (onRequest(ctx.getHttpMethod()), auth(ctx));
  kc.applyToFetchOptions = (opts) => (onRequest('WATCH'), fetchOptions(opts));
  return kc;
}

/** `plainKinds`: the kinds the caller reads and writes as plain JSON (the operator's children). */
export function makeKubeClient(kc: KubeConfig, plainKinds: readonly KindRef[]): KubeClient {
  registerPlainJson(plainKinds);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    async get<T extends KubeObject>(ref: ObjectRef) {
      try {
        return plain<T>(
          await objects.read({
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          }),
        );
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async list(apiVersion, kind, namespace, labelSelector) {
      const res = await objects.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      return res.items.map((i) => plain<KubeObject>({ apiVersion, kind, ...plain<object>(i) }));
    },
    async apply(obj, force, fieldManager = FIELD_MANAGER) {
      return plain(
        await objects.patch(
          obj,
          undefined,
          undefined,
          fieldManager,
          force,
          PatchStrategy.ServerSideApply,
        ),
      );
    },
    async delete(ref) {
      try {
        await objects.delete(
          {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async patchStatus(namespace, name, status) {
      await custom.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: { status } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    },
    async createEvent(event) {
      await objects.create(event);
    },
  };
}
