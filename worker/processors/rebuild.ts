// The rebuild queue: 'start' jobs (from the scheduler, deduplicated by their jobId) create a run's
// flow; a run's parent job runs once all its partitions are done and sums up their results.
import type { Job } from 'bullmq';
import type { Db } from '../../shared/db.js';
import type { Queues } from '../../shared/queues.js';
import { type RebuildSummary, releaseRebuildLock, triggerRebuild } from '../../shared/rebuild.js';
import type { PartitionResult } from './rebuild-partition.js';
import { coverUntil } from './incremental.js';

export function rebuildProcessor(deps: { db: Db; queues: Queues; partitions: number }) {
  return async (job: Job): Promise<RebuildSummary | { run_id: string; already_running: boolean }> => {
    if (job.name === 'start') {
      const run = await triggerRebuild(deps.db, deps.queues, deps.partitions, job.data?.trigger ?? 'schedule');
      return { run_id: run.jobId, already_running: run.alreadyRunning };
    }
    const parts = Object.values(await job.getChildrenValues<PartitionResult>());
    const users = parts.reduce((s, p) => s + p.users, 0);
    // Every partition reflects all changes below its snapshot's xmin, so the run covers those below the smallest.
    if (parts.length) await coverUntil(deps.db, parts.map((p) => BigInt(p.xmin)).reduce((a, b) => (b < a ? b : a)).toString());
    await releaseRebuildLock(deps.queues, job.id!);
    const duration_ms = Math.max(1, Date.now() - job.timestamp);
    // Where the time went, summed over partitions (they run in parallel, so this exceeds duration_ms).
    const busy_ms = { read: 0, rank: 0, write: 0 };
    for (const p of parts) for (const k of ['read', 'rank', 'write'] as const) busy_ms[k] += p.ms[k];
    return { run_id: job.id!, users, partitions: parts.length, duration_ms, users_per_s: Math.round(users / (duration_ms / 1000)), busy_ms };
  };
}
