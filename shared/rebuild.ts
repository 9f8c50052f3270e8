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

/**
 * One full rebuild at a time. A Redis key names the running run's id: taken with SET NX (atomic, so
 * concurrent triggers agree on one run), released by the run's parent job when it completes. A run
 * that failed (its parent never runs) or vanished leaves the key behind; the next trigger sees that
 * run is over and takes the key over with a compare-and-set. The TTL is only a safety net.
 */
const LOCK_TTL_MS = 6 * 60 * 60_000;
// A run's flow is added right after its key is taken: until then a missing job is not a stale key.
const FLOW_GRACE_MS = 30_000;
export const rebuildLockKey = (queues: Pick<Queues, 'rebuild'>) => `${queues.rebuild.opts.prefix}:lock:full-rebuild`;
const runStartedAt = (runId: string) => Number(runId.split('-')[1]) || 0;
const CAS = `if redis.call('get', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then return redis.call('del', KEYS[1]) end
  return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return false`;

export interface RebuildStart {
  jobId: string;
  /** The run named is one that was already running (no new one was started). */
  alreadyRunning: boolean;
}

/** Starts a full rebuild, or names the one running. */
export async function triggerRebuild(db: Db, queues: Queues, partitions: number, trigger: string): Promise<RebuildStart> {
  await queues.rebuild.waitUntilReady(); // the producers' connection has no offline queue
  const redis = queues.connection;
  const key = rebuildLockKey(queues);
  const runId = `rebuild-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  // The lock is ours: add the run, or let the lock go again if that fails.
  const start = async (): Promise<RebuildStart> => {
    try {
      await addRun(db, queues, partitions, trigger, runId);
    } catch (err) {
      await redis.eval(CAS, 1, key, runId, '', 0).catch(() => {});
      throw err;
    }
    return { jobId: runId, alreadyRunning: false };
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await redis.set(key, runId, 'PX', LOCK_TTL_MS, 'NX')) return start();
    const current = await redis.get(key);
    if (current === null) continue; // released meanwhile: try again
    if (!(await isOver(queues, current))) return { jobId: current, alreadyRunning: true };
    // The named run is over but never let go: take its place, unless someone else just did.
    if (await redis.eval(CAS, 1, key, current, runId, LOCK_TTL_MS)) return start();
  }
  throw new Error('could not take or read the rebuild lock');
}

async function isOver(queues: Queues, runId: string): Promise<boolean> {
  const job = await Job.fromId(queues.rebuild, runId);
  if (!job) return Date.now() - runStartedAt(runId) > FLOW_GRACE_MS;
  const state = await job.getState();
  return state === 'completed' || state === 'failed' || state === 'unknown';
}

/** The full rebuild running now, if any, and when it began. */
export async function runningRebuild(queues: Queues): Promise<{ runId: string; startedAt: number } | undefined> {
  await queues.rebuild.waitUntilReady();
  const current = await queues.connection.get(rebuildLockKey(queues));
  if (current === null || (await isOver(queues, current))) return undefined;
  return { runId: current, startedAt: runStartedAt(current) };
}

/** Called by the run's parent job as it completes: the next trigger starts a new run. */
export async function releaseRebuildLock(queues: Pick<Queues, 'rebuild' | 'connection'>, runId: string): Promise<void> {
  await queues.rebuild.waitUntilReady();
  await queues.connection.eval(CAS, 1, rebuildLockKey(queues), runId, '', 0);
}

/** Starts a full rebuild, or joins the running one; returns its job id. */
export async function startRebuild(db: Db, queues: Queues, partitions: number, trigger: string): Promise<string> {
  return (await triggerRebuild(db, queues, partitions, trigger)).jobId;
}

/** Plans the partitions from current head counts and adds the run's flow. */
async function addRun(db: Db, queues: Queues, partitions: number, trigger: string, runId: string): Promise<void> {
  // The day's swipes into the counters first, so every partition ranks with them.
  await foldSwipeCounts(db);
  const plan = planPartitions(await rows<Cell>(db, 'population_cells'), partitions);
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
