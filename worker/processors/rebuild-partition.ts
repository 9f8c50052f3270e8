// One partition of a full rebuild: rank every member from the run's population (read once per
// worker process, see partition-data.ts) with the pure engine, and write each member's list and
// card to Redis. Deterministic, so a retry leaves the same state.
import { availableParallelism } from 'node:os';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Pool } from '../../shared/db.js';
import { writeRebuildBatch } from '../../shared/feed-store.js';
import { type PartitionData, type Population, changedReach, loadPopulation, memberCard, partitionOf, populationIndex } from '../partition-data.js';
import { queueReach } from '../../shared/swipe-counts.js';
import { RankPool, batchRanker } from '../rank-thread.js';
import type { Weights } from '../../shared/matching/score.js';

const PartitionJob = z.object({
  index: z.number().int().min(0),
  genderBit: z.number().int().min(1).max(8),
  from: z.tuple([z.number().int(), z.number().int()]),
  to: z.tuple([z.number().int(), z.number().int()]),
  users: z.number().int().min(0),
});

export interface PartitionResult {
  index: number;
  users: number;
  candidates: number;
  /** The partition's snapshot xmin: the rebuild covers every change below the smallest. */
  xmin: string;
  /** read: waiting for the population (shared by the process's partitions of a run), rank: the engine, write: waiting for Redis. */
  ms: { read: number; rank: number; write: number };
}

/** Members per batch (ranked together, then written in one pipeline). */
const BATCH = 1000;

/** Unset REBUILD_THREADS: threads (one per core) only for a population this large; below, starting them costs more than they save. */
const AUTO_THREADS_FROM = 20_000;

type Deps = { db: Pool; redis: Redis; prefix: string; cacheSize: number; weights?: Weights; threads?: number | 'auto' };

/**
 * Ranks every member of a partition read earlier and writes their lists and cards (newer-wins).
 * Batches go through a few lanes at once, so that ranking (in `pool`'s threads, or on this thread
 * without one) goes on while earlier batches are written; memory stays at a few batches.
 * Returns the ms spent ranking (thread time) and waiting on Redis (summed over lanes).
 */
export async function rankAndWrite(
  deps: Omit<Deps, 'db'>,
  data: PartitionData,
  onBatch: (done: number) => Promise<unknown> = async () => {},
  pool?: RankPool,
): Promise<{ rank: number; write: number }> {
  const pop = data.population;
  const local = pool ? undefined : localRanker(pop, deps);
  let rank = 0, write = 0, next = 0, done = 0;
  const lane = async () => {
    for (let from = (next += BATCH) - BATCH; from < data.rows.length; from = (next += BATCH) - BATCH) {
      const rows = data.rows.subarray(from, Math.min(data.rows.length, from + BATCH));
      const batch = pool ? await pool.rank(rows) : local!(rows);
      rank += batch.ms;
      const cards = Array.from(rows, (row) => memberCard(pop, row));
      const w0 = performance.now();
      await writeRebuildBatch(deps.redis, deps.prefix, { uids: batch.uids, lists: batch.packed, listEnds: batch.ends, cards });
      write += performance.now() - w0;
      done += rows.length;
      await onBatch(done);
    }
  };
  await Promise.all(Array.from({ length: pool ? pool.size * 2 : 2 }, lane));
  return { rank, write };
}

/** Ranking on this thread, with the population's index (built once). */
function localRanker(pop: Population, deps: Pick<Deps, 'cacheSize' | 'weights'>) {
  return batchRanker({ ...pop, cacheSize: deps.cacheSize, weights: deps.weights }, populationIndex(pop, deps.weights));
}

interface Loaded {
  pop: Population;
  /** Ranking threads for this population (none: rank on the event loop). */
  pool?: RankPool;
}

/**
 * The population of the run being worked on, read once by this process and shared by the
 * partitions it ranks (with its ranking threads); dropped once no partition of the run has used it
 * for IDLE_MS, or when a partition of another run comes.
 */
const IDLE_MS = 15_000;
class PopulationCache {
  private run?: string;
  private loaded?: Promise<Loaded>;
  private users = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: Deps) {}

  async acquire(run: string): Promise<Loaded> {
    clearTimeout(this.timer);
    if (this.run !== run || !this.loaded) {
      this.drop();
      this.run = run;
      this.users = 0;
      const loading = loadPopulation(this.deps.db).then((pop) => {
        const { threads = 0 } = this.deps;
        const n = threads === 'auto' ? (pop.cols.length >= AUTO_THREADS_FROM ? availableParallelism() : 0) : threads;
        return { pop, pool: n > 0 ? new RankPool(pop, { threads: n, cacheSize: this.deps.cacheSize, weights: this.deps.weights }) : undefined };
      });
      this.loaded = loading;
      // A failed read is not kept: the retry reads again.
      loading.catch(() => {
        if (this.loaded === loading) this.loaded = undefined;
      });
    }
    this.users++;
    return this.loaded;
  }

  release(run: string) {
    if (run !== this.run || --this.users > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.users === 0 && this.drop(), IDLE_MS);
    this.timer.unref();
  }

  drop() {
    const old = this.loaded;
    this.loaded = undefined;
    void old?.then((l) => l.pool?.close()).catch(() => {});
  }
}

/** A partition job's run: its parent (the run's job), or its id without the `-p<index>` suffix. */
const runOf = (job: Job) => job.parent?.id ?? String(job.id).replace(/-p\d+$/, '');

export function partitionProcessor(deps: Deps) {
  const cache = new PopulationCache(deps);
  const process = async (job: Job): Promise<PartitionResult> => {
    const parsed = PartitionJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad partition job: ${parsed.error.message}`);
    const p = parsed.data;
    const run = runOf(job);
    const started = performance.now();
    try {
      const { pop, pool } = await cache.acquire(run);
      const data = partitionOf(pop, p);
      const read = performance.now() - started;
      // Progress also yields to the event loop, so the job's lock keeps being renewed.
      const { rank, write } = await rankAndWrite(deps, data, (done) => job.updateProgress(Math.round((done / Math.max(1, data.rows.length)) * 100)), pool);
      // The members' reach counted again, left for the next run to move in: this one ranked with the
      // stored reach, as the live path does. A retry leaves the same values.
      const reach = changedReach(pop, data.rows);
      await queueReach(deps.db, reach.ids, reach.ppm);
      const ms = { read: Math.round(read), rank: Math.round(rank), write: Math.round(write) };
      return { index: p.index, users: data.rows.length, candidates: pop.shownCount, xmin: data.xmin, ms };
    } finally {
      cache.release(run);
    }
  };
  // close: let the cached population and its threads go (the process's workers are closing).
  return Object.assign(process, { close: () => cache.drop() });
}
