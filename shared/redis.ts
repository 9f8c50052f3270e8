import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';

/** Where Redis is: a URL, or the config's URL and whether it names one node of a Redis Cluster. */
export type RedisTarget = string | Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER'>;

export const isCluster = (redis: Redis) => (redis as unknown as { isCluster?: boolean }).isCluster === true;

/**
 * `role: 'worker'` is for BullMQ workers, which block and must never give up a command
 * (maxRetriesPerRequest: null, no command timeout). Everything else must not hang a request: a
 * command fails after `commandTimeout` (a paused or unreachable server), and while disconnected
 * commands wait in the offline queue for one reconnection attempt at most, then fail. Redis is a
 * cache here, so a failure means the live path, never a stuck request.
 *
 * With REDIS_CLUSTER=on the URL names one node; the client learns the others from it. The result is
 * an ioredis Cluster typed as Redis: it has the same commands, and shared/slots.ts keeps each
 * pipeline on one node and each script on one slot.
 */
export function createRedis(target: RedisTarget, role: 'client' | 'worker' = 'client', extra: RedisOptions = {}): Redis {
  const url = typeof target === 'string' ? target : target.REDIS_URL;
  const options: RedisOptions = {
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: true, commandTimeout: 1_000 }),
    connectTimeout: 2_000,
    // Reconnect soon after the server is back (ioredis waits up to 2 s by default), forever.
    retryStrategy: (times) => Math.min(times * 100, 500),
    lazyConnect: false,
    ...extra,
  };
  const redis = typeof target === 'string' || target.REDIS_CLUSTER !== 'on' ? new Redis(url, options) : cluster(url, options);
  // Errors surface on the commands; without a listener ioredis logs each reconnection failure.
  redis.on('error', () => {});
  return redis;
}

function cluster(url: string, options: RedisOptions): Redis {
  const u = new URL(url);
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...node } = options;
  const tls = u.protocol === 'rediss:';
  return new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    redisOptions: {
      ...node,
      username: decodeURIComponent(u.username) || undefined,
      password: decodeURIComponent(u.password) || undefined,
      ...(tls ? { tls: { servername: u.hostname } } : {}),
    },
    // Managed clusters with TLS announce node addresses that must be used as they are.
    ...(tls ? { dnsLookup: (address: string, cb: (e: null, a: string) => void) => cb(null, address) } : {}),
  }) as unknown as Redis;
}

const held = new WeakSet<object>();

/**
 * Holds this connection's writes back until the event loop's check phase (setImmediate), so that the
 * commands of every request handled in one turn of the loop go out in one write: one syscall for the
 * client and one read for Redis instead of one each. For a hot read issued once per request: the
 * socket write of its GET was 30% of a cached feed read's CPU (issue 7). A Redis Cluster is left as
 * it is (its commands go to several connections).
 */
export function batchWrites(redis: Redis): void {
  if (isCluster(redis)) return;
  const stream = redis.stream;
  if (!stream || held.has(stream)) return;
  held.add(stream);
  stream.cork();
  setImmediate(() => {
    held.delete(stream);
    stream.uncork();
  });
}
