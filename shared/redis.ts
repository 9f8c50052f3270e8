import { Redis, type RedisOptions } from 'ioredis';

/**
 * `role: 'worker'` is for BullMQ workers, which block and must never give up a command
 * (maxRetriesPerRequest: null); everything else fails fast rather than queueing while Redis is down.
 */
export function createRedis(url: string, role: 'client' | 'worker' = 'client', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 2, enableOfflineQueue: true }),
    lazyConnect: false,
    ...extra,
  });
}
