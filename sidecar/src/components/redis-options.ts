import type { RedisOptions } from 'ioredis';
import type { ComponentMetadata } from './metadata.js';

/**
 * ioredis options from the metadata state.redis and pubsub.redis share (daprd names):
 * `redisHost` (host[:port], required), `redisPort`, `redisUsername`, `redisPassword`, `redisDB`,
 * `enableTLS`, `dialTimeout`. Only `redisType: node` is supported; cluster/failover are refused.
 */
export function redisOptions(md: ComponentMetadata): RedisOptions {
  const hostField = md.required('redisHost');
  const m = /^(.*?)(?::(\d+))?$/.exec(hostField) as RegExpExecArray;
  const host = m[1] as string;
  const port = md.int('redisPort', m[2] ? Number(m[2]) : 6379);
  if (m[2] && md.get('redisPort') && Number(m[2]) !== port) {
    throw new Error(
      `${md.origin}: metadata field "redisPort" (${port}) does not match the port in "redisHost"`,
    );
  }
  const type = md.string('redisType', 'node');
  if (type !== 'node')
    throw new Error(`${md.origin}: metadata field "redisType" "${type}" is not supported (node)`);
  if (md.bool('failover', false))
    throw new Error(`${md.origin}: metadata field "failover" (Sentinel) is not supported`);
  const password = md.get('redisPassword');
  const username = md.get('redisUsername');
  return {
    host,
    port,
    db: md.int('redisDB', 0),
    ...(password ? { password } : {}),
    ...(username ? { username } : {}),
    ...(md.bool('enableTLS', false) ? { tls: {} } : {}),
    connectTimeout: md.durationMs('dialTimeout', 5000),
    // Reconnect forever with a short, capped backoff: a restarted Redis is picked up again.
    retryStrategy: (times) => Math.min(50 * times, 1000),
    maxRetriesPerRequest: 20,
    lazyConnect: false,
  };
}
