// The rebuild queue: 'start' jobs (from the scheduler, deduplicated by their jobId) create a run's
// flow; a run's parent job runs once all its partitions are done and sums up their results.
import type { Job } from 'bullmq';
import type { Db } from '../../shared/db.js';
import type { Queues } from '../../shared/queues.js';
import { type RebuildSummary, startRebuild } from '../../shared/rebuild.js';
import type { PartitionResult } from './rebuild-partition.js';
import { coverUntil } from './incremental.js';
import type { Redis } from 'ioredis';

export function rebuildProcessor(deps: { db: Db; redis: Redis; prefix: string; queues: Queues; partitions: number }) {
  return async (job: Job): Promise<RebuildSummary | { run_id: string }> => {
    if (job.name === 'start') return { run_id: await startRebuild(deps.db, deps.queues, deps.partitions, job.data?.trigger ?? 'schedule') };
    const parts = Object.values(await job.getChildrenValues<PartitionResult>());
    const users = parts.reduce((s, p) => s + p.users, 0);
    await coverUntil(deps.redis, deps.prefix, job.timestamp);
    const duration_ms = Math.max(1, Date.now() - job.timestamp);
    // Where the time went, summed over partitions (they run in parallel, so this exceeds duration_ms).
    const busy_ms = { read: 0, rank: 0, write: 0 };
    for (const p of parts) for (const k of ['read', 'rank', 'write'] as const) busy_ms[k] += p.ms[k];
    return { run_id: job.id!, users, partitions: parts.length, duration_ms, users_per_s: Math.round(users / (duration_ms / 1000)), busy_ms };
  };
}
