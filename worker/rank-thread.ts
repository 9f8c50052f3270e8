// Ranking a rebuild's members on every core: a pool of worker threads ranks batches of rows and sends
// back their packed lists. The run's population (its columns and swipe lists) and the engine index,
// built once here, sit on shared memory that every thread reads (shared-arrays.ts). The main thread
// only reads, writes cards and talks to Redis. Pure CPU in the threads: no I/O.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { packList } from '../shared/feed-store.js';
import { type IndexParts, MatchIndex, swipeViewFrom } from '../shared/matching/engine.js';
import { rowAt } from '../shared/matching/columns.js';
import type { Weights } from '../shared/matching/score.js';
import { type Population, type Ragged, indexColumns } from './partition-data.js';
import { shareArrays } from './shared-arrays.js';

/** What a thread needs of a population. */
interface ThreadData {
  rankThread: true;
  cols: Population['cols'];
  version: Float64Array;
  shown: Uint8Array;
  excluded: Ragged;
  likedBy: Ragged;
  xmin: string;
  readAt: number;
  cacheSize: number;
  weights?: Weights;
  /** The index of the shown rows, built by the pool (on shared memory). */
  parts?: IndexParts;
}

/** A batch's lists: owner ids, and their packed lists one after another (list i is bytes ends[i-1]..ends[i]). */
export interface RankedBatch {
  uids: Int32Array;
  packed: Buffer;
  ends: Int32Array;
  ms: number;
}

/** Ranks rows of the population; the same code runs in a thread and, without threads, in the caller. */
export function batchRanker(d: Omit<ThreadData, 'rankThread'>, index?: MatchIndex) {
  const idx = index ?? new MatchIndex(indexColumns(d.cols, d.shown), d.weights);
  const idsOut = new Int32Array(d.cacheSize);
  const scoresOut = new Int32Array(d.cacheSize);
  const { excluded: ex, likedBy: lb } = d;
  return (rows: Int32Array): RankedBatch => {
    const t0 = performance.now();
    const uids = new Int32Array(rows.length);
    const parts: Buffer[] = [];
    const ends = new Int32Array(rows.length);
    let size = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const u = rowAt(d.cols, row);
      const view = swipeViewFrom(
        ex.ids.subarray(ex.start[row]!, ex.start[row]! + ex.length[row]!),
        lb.ids.subarray(lb.start[row]!, lb.start[row]! + lb.length[row]!),
      );
      const n = idx.topKInto(u, d.cacheSize, view, idsOut, scoresOut);
      const buf = packList({ xmin: d.xmin, ownerVersion: d.version[row]!, generatedAt: d.readAt, complete: n < d.cacheSize, ids: idsOut.subarray(0, n), scores: scoresOut.subarray(0, n) });
      parts.push(buf);
      uids[i] = u.id;
      size += buf.length;
      ends[i] = size;
    }
    // Not from Buffer's shared pool: the batch's memory is transferred to the main thread.
    const packed = Buffer.allocUnsafeSlow(size);
    for (let i = 0, at = 0; i < parts.length; at += parts[i]!.length, i++) parts[i]!.copy(packed, at);
    return { uids, packed, ends, ms: performance.now() - t0 };
  };
}

/** Threads ranking batches for one population; `close` ends them. */
export class RankPool {
  private readonly threads: { worker: Worker; busy: number }[] = [];
  private readonly waiting = new Map<number, { resolve: (b: RankedBatch) => void; reject: (e: Error) => void }>();
  private next = 0;
  private failed?: Error;

  /**
   * Moves `pop`'s arrays onto shared memory and gives it its index (built here, once, also shared),
   * so that the threads and the caller hold one copy of each between them.
   */
  constructor(pop: Population, opts: { threads: number; cacheSize: number; weights?: Weights }) {
    Object.assign(pop, shareArrays({ cols: pop.cols, version: pop.version, shown: pop.shown, excluded: pop.excluded, likedBy: pop.likedBy }));
    const parts = shareArrays(new MatchIndex(indexColumns(pop.cols, pop.shown), opts.weights).parts());
    pop.index = MatchIndex.fromParts(parts);
    const data: ThreadData = {
      rankThread: true, cols: pop.cols, version: pop.version, shown: pop.shown, excluded: pop.excluded, likedBy: pop.likedBy,
      xmin: pop.xmin, readAt: pop.readAt, cacheSize: opts.cacheSize, weights: opts.weights, parts,
    };
    for (let i = 0; i < opts.threads; i++) {
      const worker = new Worker(new URL('./rank-thread.mjs', import.meta.url), { workerData: data });
      const t = { worker, busy: 0 };
      worker.on('message', (m: { id: number; batch?: RankedBatch; error?: string }) => {
        t.busy--;
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.batch) w?.resolve({ ...m.batch, packed: Buffer.from(m.batch.packed.buffer, m.batch.packed.byteOffset, m.batch.packed.byteLength) });
        else w?.reject(new Error(m.error));
      });
      const fail = (err: Error) => {
        this.failed ??= err;
        for (const w of this.waiting.values()) w.reject(err);
        this.waiting.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => code !== 0 && fail(new Error(`rank thread exited with ${code}`)));
      worker.unref();
      this.threads.push(t);
    }
  }

  get size() {
    return this.threads.length;
  }

  rank(rows: Int32Array): Promise<RankedBatch> {
    if (this.failed) return Promise.reject(this.failed);
    const t = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.next++;
    t.busy++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      t.worker.postMessage({ id, rows: rows.slice() }); // a copy of just these rows, not the buffer under them
    });
  }

  async close() {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}

if (!isMainThread && workerData?.rankThread) {
  const d = workerData as ThreadData;
  const rank = batchRanker(d, d.parts && MatchIndex.fromParts(d.parts));
  parentPort!.on('message', ({ id, rows }: { id: number; rows: Int32Array }) => {
    try {
      const batch = rank(rows);
      parentPort!.postMessage({ id, batch }, [batch.packed.buffer as ArrayBuffer, batch.uids.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer]);
    } catch (err) {
      parentPort!.postMessage({ id, error: (err as Error).message });
    }
  });
}
