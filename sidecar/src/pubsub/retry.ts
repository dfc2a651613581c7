import type { ComponentMetadata } from '../components/metadata.js';

/**
 * How often the sidecar redelivers a message the app did not take (RETRY, non-2xx, connection
 * error). daprd leaves this to a Resiliency policy or to the broker; our in-process brokers have
 * no redelivery of their own, so the sidecar retries with exponential backoff, configured per
 * pub/sub component with these (Flock-specific) metadata fields:
 *   deliveryMaxRetries       default 10   (0 = no retry)
 *   deliveryInitialInterval  default 250ms (first backoff; doubles each attempt)
 *   deliveryMaxInterval      default 10s   (backoff cap)
 * With the defaults a message is given up after about 50 s, then dead-lettered if the subscription
 * has a `deadLetterTopic`.
 */
export interface RetryPolicy {
  maxRetries: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

export function retryPolicyFrom(md: ComponentMetadata): RetryPolicy {
  const policy = {
    maxRetries: md.int('deliveryMaxRetries', 10),
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
}
