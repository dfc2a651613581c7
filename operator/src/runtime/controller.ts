/**
 * Wires watches to the work queue and the queue to `reconcile`. Watches are only triggers:
 * any change to a platform or to a child it controls queues the platform's key, and the
 * reconcile reads the current state itself. What to reconcile and which child kinds to watch
 * are given, as controller-runtime's builder takes `For`, `Owns` and the reconciler.
 */
import type { Logger } from '@flock/kit';
import {
  KubernetesObjectApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Clock } from './clock.js';
import type { KubeClient, KindRef } from './client.js';
import { describeError, sentence } from './errors.js';
import type { EventRecorder } from './events.js';
import type { Metrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import { WatchBackoff } from './watch-backoff.js';
import { API_VERSION, GROUP, KIND } from '../api/types.js';

/** One level-based pass over the platform `key` ("namespace/name"); a throw is retried with backoff. */
export type Reconcile = (key: string) => Promise<{ requeueAfterMs?: number }>;

export interface ControllerDeps {
  kc: KubeConfig;
  client: KubeClient;
  clock: Clock;
  events: EventRecorder;
  log: Logger;
  metrics: Metrics;
  reconcile: Reconcile;
  /** The child kinds to watch, and the label selector that finds the operator's own. */
  owns: { kinds: readonly KindRef[]; labelSelector: string };
  workers?: number;
}

const collectionPath = (apiVersion: string, kind: string): string => {
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('y')
    ? `${lower.slice(0, -1)}ies`
    : lower.endsWith('s')
      ? `${lower}es`
      : `${lower}s`;
  return `${apiVersion.includes('/') ? '/apis' : '/api'}/${apiVersion}/${plural}`;
};

/** The platform key a child belongs to, from its controller ownerReference. */
export function ownerKey(obj: KubernetesObject): string | undefined {
  const ref = obj.metadata?.ownerReferences?.find(
    (r) => r.controller && r.kind === KIND && r.apiVersion.startsWith(`${GROUP}/`),
  );
  return ref && obj.metadata?.namespace ? `${obj.metadata.namespace}/${ref.name}` : undefined;
}

export class Controller {
  readonly queue = new WorkQueue();
  private readonly informers: Informer<KubernetesObject>[] = [];
  private readonly workers: Promise<void>[] = [];
  private stopped = false;

  constructor(private readonly deps: ControllerDeps) {}

  async start(): Promise<void> {
    this.watch(
      API_VERSION,
      KIND,
      undefined,
      (o) => o.metadata?.namespace && `${o.metadata.namespace}/${o.metadata.name}`,
    );
    const { kinds, labelSelector } = this.deps.owns;
    for (const { apiVersion, kind } of kinds) this.watch(apiVersion, kind, labelSelector, ownerKey);
    await Promise.all(this.informers.map((i) => i.start()));
    for (let i = 0; i < (this.deps.workers ?? 2); i++) this.workers.push(this.work());
  }

  /** Stops watching, lets in-flight reconciles finish, drops what is still queued. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((i) => i.stop()));
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private watch(
    apiVersion: string,
    kind: string,
    labelSelector: string | undefined,
    keyOf: (o: KubernetesObject) => string | undefined | '',
  ) {
    const api = KubernetesObjectApi.makeApiClient(this.deps.kc);
    const list = () =>
      api.list(
        apiVersion,
        kind,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
    const informer = makeInformer(
      this.deps.kc,
      collectionPath(apiVersion, kind),
      list,
      labelSelector,
    );
    const enqueue = (obj: KubernetesObject) => {
      const key = keyOf(obj);
      if (key) this.queue.add(key);
      this.deps.metrics.queueDepth.set(this.queue.depth);
    };
    informer.on('add', enqueue);
    informer.on('update', enqueue);
    informer.on('delete', enqueue);
    // client-node restarts a watch itself after a 410 (relist) but stops on any other error.
    const backoff = new WatchBackoff();
    informer.on('connect', () => backoff.connected(this.deps.clock.now().getTime()));
    informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      const retryInMs = backoff.failed(this.deps.clock.now().getTime());
      this.deps.log.warn({ err, kind, retryInMs }, 'Watch failed; restarting');
      setTimeout(() => void informer.start().catch(() => undefined), retryInMs);
    });
    this.informers.push(informer);
  }

  private async work(): Promise<void> {
    const { log, metrics, reconcile } = this.deps;
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      metrics.queueDepth.set(this.queue.depth);
      const end = metrics.reconcileDuration.startTimer();
      try {
        const result = await reconcile(key);
        this.queue.forget(key);
        if (result.requeueAfterMs) this.queue.addAfter(key, result.requeueAfterMs);
        metrics.reconciles.inc({ result: 'success' });
      } catch (err) {
        const delay = this.queue.addRateLimited(key);
        metrics.reconciles.inc({ result: 'error' });
        metrics.reconcileErrors.inc();
        log.error({ err, key, retryInMs: delay }, 'Reconcile failed');
        await this.recordFailure(
          key,
          `Reconcile failed, retrying in ${delay} ms: ${describeError(err)}`,
        );
      } finally {
        end();
        this.queue.done(key);
      }
    }
  }

  /** A Warning on the platform as stored (with its uid, so `kubectl describe` lists it). */
  private async recordFailure(key: string, message: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const platform = await this.deps.client
      .get({ apiVersion: API_VERSION, kind: KIND, namespace, name })
      .catch(() => undefined);
    if (platform)
      await this.deps.events.record(platform, 'Warning', 'ReconcileFailed', sentence(message));
  }
}
