// A full rebuild as production runs it: the BullMQ flow, worked by in-process workers (the
// configured concurrency), timed by the run's own summary.
import type { Queues } from '../shared/queues.js';
import { type RebuildStatus, type RebuildSummary, rebuildStatus, startRebuild } from '../shared/rebuild.js';
import type { Resources } from '../shared/resources.js';
import { startWorkers } from '../worker/workers.js';
import { type Row, int, sleep } from './stats.js';
import { redisNodes } from './throwaway-env.js';

const TIMEOUT_MS = 15 * 60_000;

/** used_memory summed over the servers (every master of a cluster). */
async function usedMemory(res: Resources): Promise<number> {
  const infos = await Promise.all(redisNodes(res).map((node) => node.info('memory')));
  return infos.reduce((sum, info) => sum + Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN), 0);
}

export interface RebuildBench {
  rows: Row[];
  summary: RebuildSummary;
  /** Bytes of Redis memory the rebuild added (NaN if unknown). */
  memory: number;
}

export async function benchRebuild(res: Resources, queues: Queues): Promise<RebuildBench> {
  const memoryBefore = await usedMemory(res);
  const workers = startWorkers(res, queues);
  let status: RebuildStatus | undefined;
  try {
    const jobId = await startRebuild(res.db, queues, res.config.REBUILD_PARTITIONS, 'bench');
    const deadline = Date.now() + TIMEOUT_MS;
    do {
      await sleep(100);
      status = await rebuildStatus(queues, jobId);
    } while (status && status.state !== 'completed' && status.state !== 'failed' && Date.now() < deadline);
  } finally {
    // Stopped before the read benchmarks, so that idle workers do not share their CPU.
    await workers.close();
  }
  const r = status?.result;
  if (status?.state !== 'completed' || !r) throw new Error(`rebuild ${status?.state ?? 'vanished'}: ${status?.failed_reason ?? 'timed out'}`);

  const memory = (await usedMemory(res)) - memoryBefore;
  const rows: Row[] = [
    {
      name: 'rebuild: full, all users',
      value: `${(r.duration_ms / 1000).toFixed(2)} s`,
      note: `${int(r.users)} users, ${r.partitions} partitions, worker concurrency ${res.config.WORKER_CONCURRENCY}, lists of ${res.config.FEED_CACHE_SIZE}`,
    },
    { name: 'rebuild: throughput', value: `${int(r.users_per_s)} users/s`, note: 'wall clock, queueing included' },
  ];
  if (r.busy_ms) {
    const b = r.busy_ms;
    const total = b.read + b.rank + b.write;
    const share = (x: number) => `${Math.round((100 * x) / total)}%`;
    rows.push({
      name: 'rebuild: busy time by step',
      value: `${(total / 1000).toFixed(2)} s`,
      note: `read ${(b.read / 1000).toFixed(2)} s (${share(b.read)}), rank ${(b.rank / 1000).toFixed(2)} s (${share(b.rank)}), write ${(b.write / 1000).toFixed(2)} s (${share(b.write)}); summed over partitions`,
    });
  }
  if (memory > 0) rows.push({ name: 'rebuild: Redis memory added', value: `${(memory / 2 ** 20).toFixed(0)} MiB`, note: `${int(memory / r.users)} B per user (list + card)` });
  return { rows, summary: r, memory };
}
