// One partition of a full rebuild: read it (COPY), rank every member's candidates (pure engine),
// write each member's list and card to Redis. Deterministic, so a retry leaves the same state.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Pool } from '../../shared/db.js';
import { writeCards } from '../../shared/cards.js';
import { type RankedList, writeLists } from '../../shared/feed-store.js';
import { MatchIndex, columnsFrom, swipeViewFrom } from '../../shared/matching/engine.js';
import { type PartitionData, readPartition } from '../partition-data.js';
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
  ms: { read: number; rank: number; write: number };
}

const NONE = new Int32Array(0);
// A pair can be both swiped and blocked: each id once.
const sortedIds = (ids: number[] | undefined) => (ids ? new Int32Array(new Set(ids)).sort() : NONE);
const BATCH = 500;

type Deps = { db: Pool; redis: Redis; prefix: string; cacheSize: number; weights?: Weights };

/** Ranks every member of a partition read earlier and writes their lists and cards (newer-wins). */
export async function rankAndWrite(deps: Omit<Deps, 'db'>, data: PartitionData, onBatch: (done: number) => Promise<unknown> = async () => {}): Promise<number> {
  let rank = 0;
  const index = new MatchIndex(columnsFrom(data.candidates), deps.weights);
  const idsOut = new Int32Array(deps.cacheSize);
  const scoresOut = new Int32Array(deps.cacheSize);
  let batch: [number, RankedList][] = [];
  for (let i = 0; i < data.members.length; i++) {
    const u = data.members[i]!;
    const view = swipeViewFrom(sortedIds(data.excluded.get(u.id)), sortedIds(data.likedBy.get(u.id)));
    const t0 = performance.now();
    const n = index.topKInto(u, deps.cacheSize, view, idsOut, scoresOut);
    rank += performance.now() - t0;
    const ids = idsOut.slice(0, n);
    const scores = scoresOut.slice(0, n);
    batch.push([u.id, { xmin: data.xmin, ownerVersion: data.versions[i]!, generatedAt: data.readAt, complete: n < deps.cacheSize, ids, scores }]);
    if (batch.length === BATCH || i === data.members.length - 1) {
      await writeCards(deps.redis, deps.prefix, data.profiles.slice(i + 1 - batch.length, i + 1));
      await writeLists(deps.redis, deps.prefix, batch);
      batch = [];
      await onBatch(i + 1);
    }
  }
  return rank;
}

export function partitionProcessor(deps: Deps) {
  return async (job: Job): Promise<PartitionResult> => {
    const parsed = PartitionJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad partition job: ${parsed.error.message}`);
    const p = parsed.data;
    const started = Date.now();
    const data = await readPartition(deps.db, p);
    const read = Date.now();
    // Progress also yields to the event loop, so the job's lock keeps being renewed.
    const rank = await rankAndWrite(deps, data, (done) => job.updateProgress(Math.round((done / data.members.length) * 100)));
    const ms = { read: read - started, rank: Math.round(rank), write: Math.round(Date.now() - read - rank) };
    return { index: p.index, users: data.members.length, candidates: data.candidates.length, xmin: data.xmin, ms };
  };
}
