import type { ComponentMetadata } from '../components/metadata.js';

/**
 * How often the sidecar redelivers a message the app did not take (RETRY, non-2xx, connection
 * error) when no Resiliency policy says. daprd then hands the message back to the broker, and
 * the broker's own redelivery applies; the sidecar stands in for it with exponential backoff,
 * configured per pub/sub component with these (Flock-specific) metadata fields:
 *   deliveryMaxRetries       default 10, and 0 on pubsub.in-memory, whose daprd component
 *                            logs a failed delivery and forgets it
 *   deliveryInitialInterval  default 250ms (first backoff; doubles each attempt)
 *   deliveryMaxInterval      default 10s   (backoff cap)
 * With the defaults a message is given up after about 50 s. They apply only to subscriptions
 * without a dead-letter topic (see retriesBeforeGivingUp).
 */
export interface RetryPolicy {
  maxRetries: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

export function retryPolicyFrom(md: ComponentMetadata, type: string): RetryPolicy {
  const policy = {
    maxRetries: md.int('deliveryMaxRetries', type === 'pubsub.in-memory' ? 0 : 10),
    initialIntervalMs: md.durationMs('deliveryInitialInterval', 250),
    maxIntervalMs: md.durationMs('deliveryMaxInterval', 10_000),
  };
  if (policy.maxRetries < 0) throw new Error(`${md.origin}: deliveryMaxRetries must be >= 0`);
  return policy;
}

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxIntervalMs, policy.initialIntervalMs * 2 ** attempt);
}

/** What delivery needs to know about retries, whichever source (defaults or Resiliency) set them. */
export interface InboundRetry {
  /** Infinity = retry forever. */
  maxRetries: number;
  delayMs(attempt: number): number;
  /** Per delivery attempt (Resiliency inbound timeout). */
  timeoutMs?: number;
  /** Set by a Resiliency inbound policy, not by the defaults that stand for a broker's own. */
  fromPolicy: boolean;
}

/**
 * How many times a failed delivery is sent again before it is dead-lettered or handed back.
 * daprd retries only under an inbound policy; without one it dead-letters at the first failure
 * when the subscription has a dead-letter topic, and otherwise hands the message back to the
 * broker, whose own redelivery the sidecar's defaults stand for.
 */
export function retriesBeforeGivingUp(retry: InboundRetry, deadLetterTopic?: string): number {
  return deadLetterTopic && !retry.fromPolicy ? 0 : retry.maxRetries;
}
