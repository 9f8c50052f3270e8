// One partition of a full rebuild: rank every member from the run's population (read once per
// worker process, see partition-data.ts) with the pure engine, and write each member's list and
// card to Redis. Deterministic, so a retry leaves the same state.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Pool } from '../../shared/db.js';
import { writeCardValues } from '../../shared/cards.js';
import { type RankedList, writeLists } from '../../shared/feed-store.js';
import { swipeViewFrom } from '../../shared/matching/engine.js';
import { type PartitionData, type Population, loadPopulation, memberCard, memberOf, partitionOf, populationIndex } from '../partition-data.js';
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

/** Members per Redis batch, and batches in flight: ranking goes on while a batch is written. */
const BATCH = 1000;
const IN_FLIGHT = 2;

type Deps = { db: Pool; redis: Redis; prefix: string; cacheSize: number; weights?: Weights };

/**
 * Ranks every member of a partition read earlier and writes their lists and cards (newer-wins),
 * ranking the next batch while the last ones are written. Returns the ms spent ranking and waiting on Redis.
 */
export async function rankAndWrite(
  deps: Omit<Deps, 'db'>,
  data: PartitionData,
  onBatch: (done: number) => Promise<unknown> = async () => {},
): Promise<{ rank: number; write: number }> {
  const pop = data.population;
  let t0 = performance.now();
  const index = populationIndex(pop, deps.weights);
  let rank = performance.now() - t0;
  let write = 0;
  const idsOut = new Int32Array(deps.cacheSize);
  const scoresOut = new Int32Array(deps.cacheSize);
  const { excluded: ex, likedBy: lb } = pop;
  const inFlight: Promise<void>[] = [];
  const waitFor = async (p: Promise<void>) => {
    const w0 = performance.now();
    await p;
    write += performance.now() - w0;
  };
  for (let from = 0; from < data.rows.length; from += BATCH) {
    t0 = performance.now();
    const to = Math.min(data.rows.length, from + BATCH);
    const lists: [number, RankedList][] = [];
    const cards: [number, string][] = [];
    for (let i = from; i < to; i++) {
      const row = data.rows[i]!;
      const u = memberOf(pop, row);
      const view = swipeViewFrom(
        ex.ids.subarray(ex.start[row]!, ex.start[row]! + ex.length[row]!),
        lb.ids.subarray(lb.start[row]!, lb.start[row]! + lb.length[row]!),
      );
      const n = index.topKInto(u, deps.cacheSize, view, idsOut, scoresOut);
      lists.push([u.id, { xmin: data.xmin, ownerVersion: pop.version[row]!, generatedAt: data.readAt, complete: n < deps.cacheSize, ids: idsOut.slice(0, n), scores: scoresOut.slice(0, n) }]);
      cards.push([u.id, memberCard(pop, row)]);
    }
    rank += performance.now() - t0;
    // Cards before lists, so that a list is not read before its owner's card.
    inFlight.push(writeCardValues(deps.redis, deps.prefix, cards).then(() => writeLists(deps.redis, deps.prefix, lists)));
    if (inFlight.length >= IN_FLIGHT) await waitFor(inFlight.shift()!);
    await onBatch(to);
  }
  while (inFlight.length) await waitFor(inFlight.shift()!);
  return { rank, write };
}

/**
 * The population of the run being worked on, read once by this process and shared by the
 * partitions it ranks; dropped once no partition of the run has used it for IDLE_MS, or when a
 * partition of another run comes.
 */
const IDLE_MS = 15_000;
class PopulationCache {
  private run?: string;
  private pop?: Promise<Population>;
  private users = 0;
  private timer?: NodeJS.Timeout;

  async acquire(db: Pool, run: string): Promise<Population> {
    clearTimeout(this.timer);
    if (this.run !== run || !this.pop) {
      this.run = run;
      this.users = 0;
      const loading = loadPopulation(db);
      this.pop = loading;
      // A failed read is not kept: the retry reads again.
      loading.catch(() => {
        if (this.pop === loading) this.pop = undefined;
      });
    }
    this.users++;
    return this.pop;
  }

  release(run: string) {
    if (run !== this.run || --this.users > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.users === 0) this.pop = undefined;
    }, IDLE_MS);
    this.timer.unref();
  }
}

/** A partition job's run: its parent (the run's job), or its id without the `-p<index>` suffix. */
const runOf = (job: Job) => job.parent?.id ?? String(job.id).replace(/-p\d+$/, '');

export function partitionProcessor(deps: Deps) {
  const cache = new PopulationCache();
  return async (job: Job): Promise<PartitionResult> => {
    const parsed = PartitionJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad partition job: ${parsed.error.message}`);
    const p = parsed.data;
    const run = runOf(job);
    const started = performance.now();
    try {
      const pop = await cache.acquire(deps.db, run);
      const data = partitionOf(pop, p);
      const read = performance.now() - started;
      // Progress also yields to the event loop, so the job's lock keeps being renewed.
      const { rank, write } = await rankAndWrite(deps, data, (done) => job.updateProgress(Math.round((done / Math.max(1, data.rows.length)) * 100)));
      const ms = { read: Math.round(read), rank: Math.round(rank), write: Math.round(write) };
      return { index: p.index, users: data.rows.length, candidates: pop.index?.parts().cols.length ?? 0, xmin: data.xmin, ms };
    } finally {
      cache.release(run);
    }
  };
}
