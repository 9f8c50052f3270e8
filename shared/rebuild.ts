// Starting and watching full rebuilds: a BullMQ flow of one parent job per run and one child per partition.
import { Job } from 'bullmq';
import type { Db } from './db.js';
import { rows } from './db.js';
import { QUEUE, type Queues } from './queues.js';
import { type Cell, planPartitions } from './rebuild-plan.js';
import { foldSwipeCounts } from './swipe-counts.js';

export interface RebuildSummary {
  run_id: string;
  users: number;
  partitions: number;
  duration_ms: number;
  users_per_s: number;
  busy_ms?: { read: number; rank: number; write: number };
}

const keep = { removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } };

/** Plans the partitions from current head counts and adds the flow. Returns the run's job id. */
export async function startRebuild(db: Db, queues: Queues, partitions: number, trigger: string): Promise<string> {
  // The day's swipes into the counters first, so every partition ranks with them.
  await foldSwipeCounts(db);
  const plan = planPartitions(await rows<Cell>(db, 'population_cells'), partitions);
  const runId = `rebuild-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await queues.flow.add({
    name: 'rebuild',
    queueName: QUEUE.rebuild,
    data: { trigger, partitions: plan.length, users: plan.reduce((s, p) => s + p.users, 0) },
    opts: { jobId: runId, ...keep },
    children: plan.map((p, index) => ({
      name: 'partition',
      queueName: QUEUE.partition,
      data: { ...p, index },
      opts: { jobId: `${runId}-p${index}`, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, failParentOnFailure: true, ...keep },
    })),
  });
  return runId;
}

export interface RebuildStatus {
  job_id: string;
  state: string;
  progress: number;
  partitions: { done: number; total: number };
  result?: RebuildSummary;
  failed_reason?: string;
}

export async function rebuildStatus(queues: Queues, jobId: string): Promise<RebuildStatus | undefined> {
  let job = await Job.fromId(queues.rebuild, jobId);
  if (!job || job.name !== 'rebuild') return undefined;
  const [state, deps] = await Promise.all([job.getState(), job.getDependenciesCount()]);
  const done = deps.processed ?? 0;
  const total = done + (deps.unprocessed ?? 0) + (deps.failed ?? 0) + (deps.ignored ?? 0);
  const finished = state === 'completed';
  // The job was read before its state: one that completed in between is read again for its result.
  if (finished && job.returnvalue == null) job = (await Job.fromId(queues.rebuild, jobId)) ?? job;
  return {
    job_id: jobId,
    state,
    progress: finished ? 100 : total ? Math.floor((done / total) * 100) : 0,
    partitions: { done, total: Math.max(total, job.data.partitions ?? 0) },
    ...(finished ? { result: job.returnvalue as RebuildSummary } : {}),
    ...(state === 'failed' ? { failed_reason: job.failedReason } : {}),
  };
}
