/**
 * An in-memory KubeClient for unit tests of the reconcile loop: apply stores the object
 * (bumping generation and resourceVersion), list filters by labels, writes are counted.
 */
import { ApiException } from '@kubernetes/client-node';
import type { KubeClient, ObjectRef } from '../../src/runtime/client.js';
import type { KubeObject, SocialPlatformStatus } from '../../src/api/types.js';

const keyOf = (r: { kind: string; namespace?: string; name: string }) =>
  `${r.kind}/${r.namespace ?? ''}/${r.name}`;

export class FakeClient implements KubeClient {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: string[] = [];
  readonly events: KubeObject[] = [];
  private rv = 1;

  put(obj: KubeObject): KubeObject {
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(this.rv++);
    stored.metadata.uid ??= `uid-${this.rv}`;
    stored.metadata.generation ??= 1;
    this.objects.set(
      keyOf({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name }),
      stored,
    );
    return stored;
  }

  async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const o = this.objects.get(keyOf(ref));
    return o ? (structuredClone(o) as T) : undefined;
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector: string,
  ): Promise<KubeObject[]> {
    const want = labelSelector.split(',').map((kv) => kv.split('='));
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && o.metadata.namespace === namespace)
      .filter((o) => want.every(([k, v]) => o.metadata.labels?.[k!] === v))
      .map((o) => structuredClone({ ...o, apiVersion }));
  }

  async apply(obj: KubeObject): Promise<KubeObject> {
    this.writes.push(`apply ${obj.kind}/${obj.metadata.name}`);
    const old = this.objects.get(
      keyOf({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name }),
    );
    const generation = old
      ? (old.metadata.generation ?? 1) +
        (JSON.stringify(old.spec) === JSON.stringify(obj.spec) ? 0 : 1)
      : 1;
    return this.put({
      ...old,
      ...obj,
      metadata: { ...obj.metadata, uid: old?.metadata.uid, generation },
    } as KubeObject);
  }

  async delete(ref: ObjectRef): Promise<void> {
    this.writes.push(`delete ${ref.kind}/${ref.name}`);
    this.objects.delete(keyOf(ref));
  }

  async patchStatus(namespace: string, name: string, status: SocialPlatformStatus): Promise<void> {
    this.writes.push('status');
    const key = keyOf({ kind: 'SocialPlatform', namespace, name });
    const p = this.objects.get(key);
    if (!p) throw new ApiException(404, 'not found', {}, {});
    const services = Object.fromEntries(
      Object.entries({
        ...(p.status as SocialPlatformStatus | undefined)?.services,
        ...status.services,
      }).filter(([, v]) => v !== null),
    );
    this.put({ ...p, status: { ...status, services } });
  }

  async createEvent(event: KubeObject): Promise<void> {
    this.events.push(event);
  }
}
