// The BullMQ workers of one process. Any number of processes (here or on other machines) may run
// them: BullMQ hands each partition to one worker, and a stalled one (its process died) to another.
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { Logger } from '../shared/logger.js';
import { rankingWeights } from '../shared/config.js';
import { LiveIndex } from '../shared/live-index.js';
import { QUEUE, type Queues, bullPrefix } from '../shared/queues.js';
import { createRedis } from '../shared/redis.js';
import type { Resources } from '../shared/resources.js';
import { incrementalProcessor, rebuildHoldsPasses } from './processors/incremental.js';
import { partitionProcessor } from './processors/rebuild-partition.js';
import { rebuildProcessor } from './processors/rebuild.js';

export interface WorkerOptions {
  /** Run the incremental pass too (default). `npm run rebuild` lends only the rebuild's workers: an
   * incremental job it picked up (loading the live index, ranking every changed user) would hold up
   * its exit, and its memory, long after the rebuild it came for. */
  incremental?: boolean;
}

export function startWorkers(res: Resources, queues: Queues, opts: WorkerOptions = {}) {
  const { config, db, log } = res;
  const connection = createRedis(config, 'worker');
  const common = {
    connection,
    prefix: bullPrefix(config),
    name: `${hostname()}:${process.pid}`,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_STALLED_MS,
  };
  const weights = rankingWeights(config);
  // The rebuild's and the incremental pass's writes: no request waits on them (see REDIS_BULK_TIMEOUT_MS).
  const bulk = createRedis(config, 'client', { commandTimeout: config.REDIS_BULK_TIMEOUT_MS });
  const shared = { db, redis: bulk, prefix: config.REDIS_PREFIX, cacheSize: config.FEED_CACHE_SIZE, weights };
  // Loaded on the first incremental pass that needs it.
  const live = new LiveIndex(db, { weights });
  const partitions = partitionProcessor({ ...shared, threads: config.REBUILD_THREADS ?? 'auto' });
  const workers = [
    new Worker(QUEUE.partition, partitions, { ...common, concurrency: config.WORKER_CONCURRENCY }),
    new Worker(QUEUE.rebuild, rebuildProcessor({ db, queues, partitions: config.REBUILD_PARTITIONS }), common),
    ...(opts.incremental === false ? [] : [new Worker(QUEUE.incremental, incrementalProcessor({ ...shared, live, rebuildRunning: rebuildHoldsPasses(queues) }), common)]),
  ];
  for (const w of workers) watch(w, log);
  return {
    workers,
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      partitions.close();
      live.stop();
      await Promise.allSettled([connection.quit(), bulk.quit()]);
    },
  };
}

function watch(worker: Worker, log: Logger) {
  worker.on('completed', (job, result) => log.info({ queue: worker.name, job: job.id, result }, 'job done'));
  worker.on('failed', (job, err) => log.warn({ queue: worker.name, job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'));
  worker.on('error', (err) => log.error({ queue: worker.name, err }, 'worker error'));
}
