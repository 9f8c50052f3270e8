// The BullMQ queues. Their keys share one hash tag ({prefix}) so that a flow's parent and children
// live in one Redis Cluster slot, as BullMQ requires.
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createRedis } from './redis.js';

export const QUEUE = {
  rebuild: 'rebuild',
  partition: 'rebuild-partition',
  incremental: 'incremental',
} as const;

export const bullPrefix = (config: Pick<Config, 'REDIS_PREFIX'>) => `{${config.REDIS_PREFIX}}`;

export interface Queues {
  rebuild: Queue;
  partition: Queue;
  incremental: Queue;
  flow: FlowProducer;
  connection: Redis;
  close(): Promise<void>;
}

/**
 * Producers fail fast when Redis is away (no offline queue) or stuck (a command timeout; adding a
 * rebuild's flow is one larger script, so it gets a few seconds), rather than hang a request.
 */
export function openQueues(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER' | 'REDIS_PREFIX'>): Queues {
  const connection = createRedis(config, 'client', { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3_000 });
  const opts = { connection, prefix: bullPrefix(config) };
  const rebuild = new Queue(QUEUE.rebuild, opts);
  const partition = new Queue(QUEUE.partition, opts);
  const incremental = new Queue(QUEUE.incremental, opts);
  const flow = new FlowProducer(opts);
  // Redis being away is answered where a command fails (503); the connection's own error events
  // would otherwise be printed on every reconnection attempt.
  for (const q of [rebuild, partition, incremental]) q.on('error', () => {});
  flow.on('error', () => {});
  return {
    rebuild,
    partition,
    incremental,
    flow,
    connection,
    async close() {
      await Promise.allSettled([rebuild.close(), partition.close(), incremental.close(), flow.close()]);
      await connection.quit().catch(() => {});
    },
  };
}

/** After a change: one incremental pass soon, however many changes ask for it meanwhile. */
export async function requestIncrementalPass(queues: Pick<Queues, 'incremental'>, delayMs = 5000): Promise<void> {
  await queues.incremental.add('pass', {}, { delay: delayMs, deduplication: { id: 'soon' }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } });
}
