/**
 * Leader election on a coordination.k8s.io/v1 Lease, so only one replica reconciles at a time.
 * The lease is taken when free or expired and renewed well before it expires; writes use the
 * lease's resourceVersion, so of two racing candidates exactly one wins (the other gets 409).
 */
import type { Logger } from '@flock/kit';
import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Clock } from './clock.js';
import { isNotFound } from './errors.js';

export interface LeaderOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  clock: Clock;
  log: Logger;
  leaseSeconds?: number;
  renewMs?: number;
}

/** MicroTime wants six fractional digits; client-node passes the string through unchanged. */
const microTime = (d: Date): string => d.toISOString().replace(/(\.\d{3})Z$/, '$1000Z');

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly leaseSeconds: number;
  private readonly renewMs: number;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  /** Set by release(): a renewal already in flight must neither reschedule nor report a loss. */
  private stopped = false;

  constructor(private readonly opts: LeaderOptions) {
    this.api = opts.kc.makeApiClient(CoordinationV1Api);
    this.leaseSeconds = opts.leaseSeconds ?? 15;
    this.renewMs = opts.renewMs ?? 5000;
  }

  /**
   * Resolves once leading; `onLost` runs if a renewal fails past the lease's expiry (another
   * replica may be leading by then, so the caller must stop reconciling).
   */
  async acquire(onLost: () => void): Promise<void> {
    while (!(await this.tryAcquireOrRenew()))
      await new Promise((r) => (this.timer = setTimeout(r, this.renewMs)));
    this.leading = true;
    this.opts.log.info({ identity: this.opts.identity }, 'Leadership acquired');
    let lastRenew = this.opts.clock.now().getTime();
    const renew = async () => {
      if (this.stopped) return;
      const ok = await this.tryAcquireOrRenew();
      if (this.stopped) return;
      const now = this.opts.clock.now().getTime();
      if (ok) lastRenew = now;
      else if (now - lastRenew > this.leaseSeconds * 1000) {
        this.leading = false;
        this.opts.log.error('Leadership lost');
        return onLost();
      }
      this.timer = setTimeout(() => void renew(), this.renewMs);
    };
    this.timer = setTimeout(() => void renew(), this.renewMs);
  }

  /** Stops renewing and hands the lease back so a successor need not wait for expiry. */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({
        name: this.opts.name,
        namespace: this.opts.namespace,
      });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      lease.spec.leaseDurationSeconds = 1;
      lease.spec.renewTime = microTime(this.opts.clock.now()) as unknown as Date;
      await this.api.replaceNamespacedLease({
        name: this.opts.name,
        namespace: this.opts.namespace,
        body: lease,
      });
    } catch (err) {
      this.opts.log.warn({ err }, 'Lease not released');
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, clock } = this.opts;
    const now = clock.now();
    try {
      let lease: V1Lease;
      try {
        lease = await this.api.readNamespacedLease({ name, namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const spec = {
          holderIdentity: identity,
          leaseDurationSeconds: this.leaseSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        };
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: spec as unknown as V1Lease['spec'] },
        });
        return true;
      }
      const spec = lease.spec ?? {};
      const renewed = spec.renewTime ? new Date(spec.renewTime as unknown as string).getTime() : 0;
      const expired =
        renewed + (spec.leaseDurationSeconds ?? this.leaseSeconds) * 1000 < now.getTime();
      if (spec.holderIdentity && spec.holderIdentity !== identity && !expired) return false;
      const taking = spec.holderIdentity !== identity;
      lease.spec = {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.leaseSeconds,
        renewTime: microTime(now) as unknown as Date,
        ...(taking
          ? {
              acquireTime: microTime(now) as unknown as Date,
              leaseTransitions: (spec.leaseTransitions ?? 0) + 1,
            }
          : {}),
      };
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (err) {
      // A 409 means another candidate wrote first; anything else is retried on the next tick.
      if (!(err instanceof ApiException && err.code === 409))
        this.opts.log.warn({ err }, 'Lease update failed');
      return false;
    }
  }
}
