import { Redis, type RedisOptions } from 'ioredis';

/**
 * `role: 'worker'` is for BullMQ workers, which block and must never give up a command
 * (maxRetriesPerRequest: null, no command timeout). Everything else must not hang a request: a
 * command fails after `commandTimeout` (a paused or unreachable server), and while disconnected
 * commands wait in the offline queue for one reconnection attempt at most, then fail. Redis is a
 * cache here, so a failure means the live path, never a stuck request.
 */
export function createRedis(url: string, role: 'client' | 'worker' = 'client', extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: true, commandTimeout: 1_000 }),
    connectTimeout: 2_000,
    // Reconnect soon after the server is back (ioredis waits up to 2 s by default), forever.
    retryStrategy: (times) => Math.min(times * 100, 500),
    lazyConnect: false,
    ...extra,
  });
  // Errors surface on the commands; without a listener ioredis logs each reconnection failure.
  redis.on('error', () => {});
  return redis;
}
