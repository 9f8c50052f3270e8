// The live path: exact potential matches at request time, from an in-process index of everyone who
// may be shown (shared/matching, ~13 bytes a user) plus what Postgres says changed since.
//
// Change capture: every user row carries the xid8 of the transaction that last changed it
// (change_xid, set by a trigger), erasures are logged the same way, and the index knows a
// watermark: the snapshot it last read changes in. What that snapshot saw is in the index or the
// delta; what it could not see (its transactions in progress, and every later one) is read next
// (unseen_xids, migration 0008). A long transaction is read when it commits, and until then costs
// nothing: neither what committed around it nor its own invisible rows are read again. No clock is
// involved. Reads are bounded: a poll pages through the changes, and when more changed than is
// worth folding in (a bulk load), a fresh index is built in the background and swapped in when
// ready, while the old one keeps serving. A request reads at most REQUEST_CHANGES rows of changes.
import { Worker } from 'node:worker_threads';
import { candidateOfRow } from './candidates.js';
import { type Pool, listen, preparedRows, rows, withTransaction } from './db.js';
import { type Loaded, loadIndex } from './live-index-load.js';
import { type Ranked, MatchIndex, swipeViewFrom } from './matching/engine.js';
import type { Weights } from './matching/score.js';
import type { Candidate } from './matching/types.js';
import { type ReachSample, type ReachOf, reachIn, reachSample } from './matching/reach.js';

/** NOTIFY channel of bulk loads (seed, CSV import): reload now rather than at the next poll. */
export const BULK_LOADED = 'mm_users_bulk_loaded';

/** At most this many changed rows are read by one request (the poll folds in the rest). */
const REQUEST_CHANGES = 500;
const POLL_BATCH = 1000;

interface Snapshot {
  index: MatchIndex;
  /** Users changed since the index was read, by id: their current row, or null when no one may be shown them. */
  delta: Map<number, Candidate | null>;
  /** The delta as each request uses it, kept with each fold rather than rebuilt per request: its ids, sorted, and its shown rows. */
  deltaIds: Int32Array;
  deltaShown: Candidate[];
  /** A snapshot (pg_snapshot text): every change it saw is in index + delta. */
  watermark: string;
  /** The reach sample of the index's population (reach.ts), drawn on first use. */
  reach?: ReachSample;
}

type ChangeRow = { id: number; change_xid: string; present: boolean; shown: boolean } & Record<string, any>;

const asCandidate = (r: ChangeRow): Candidate | null => (r.present && r.shown ? candidateOfRow(r) : null);

export interface LiveIndexOptions {
  pollMs?: number;
  /** Reload the index once this many users changed since it was read. */
  rebuildAt?: number;
  /** Build the index in a worker thread (default), so that requests never wait behind it. */
  offThread?: boolean;
  onError?: (err: unknown) => void;
  /** The ranking (shared/config.ts rankingWeights); the engine's default otherwise. */
  weights?: Weights;
}

export interface LiveTopK {
  ranked: Ranked[];
  /** xmin of the snapshot the asker's swipes and blocks were read in: the list's version. */
  xmin: string;
  /** The asker's users.version in that snapshot. */
  version: number;
  /** Who swiped on the asker (either kind), as of that snapshot. */
  swipedMe: Set<number>;
}

export class LiveIndex {
  private snap?: Snapshot;
  private loading?: Promise<Snapshot>;
  private reloading?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;
  private unlisten?: () => Promise<void>;
  private loader?: OffThreadLoader;
  private abandoned = false;

  constructor(readonly db: Pool, private readonly opts: LiveIndexOptions = {}) {}

  /** The asker's top k by the contract's rules right now; undefined when the user does not exist. */
  async topK(userId: number, k: number): Promise<LiveTopK | undefined> {
    const snap = await this.ready();
    const [[asker], changed] = await Promise.all([
      rows(this.db, 'asker', [userId]),
      preparedRows<ChangeRow>(this.db, 'changed_since', [snap.watermark, '0', 0, REQUEST_CHANGES + 1]),
    ]);
    if (!asker) return undefined;
    // Far behind (a bulk load just committed): the poll catches up; meanwhile the first rows do.
    if (changed.length > REQUEST_CHANGES) this.pollSoon();
    const me = candidateOfRow(asker);
    const hidden = new Set<number>([...asker.excluded, ...asker.passed_me]);
    const sorted = (ids: Iterable<number>) => Int32Array.from(ids).sort();
    // The index's rows of changed users are stale: leave them out there and judge their current rows
    // (in the same ranking, as the liked-you cap spans both). Rows this request read supersede the
    // delta's; an id may then be listed twice in `excluded`, which the swipe view allows.
    const fresh = changed.slice(0, REQUEST_CHANGES);
    const freshIds = new Set(fresh.map((r) => r.id));
    const excluded = mergeSorted(sorted(new Set([...hidden, ...freshIds])), snap.deltaIds);
    const extras = hidden.size || freshIds.size ? snap.deltaShown.filter((v) => !hidden.has(v.id) && !freshIds.has(v.id)) : snap.deltaShown;
    for (const r of fresh) {
      const v = asCandidate(r);
      if (v && !hidden.has(v.id)) extras.push(v);
    }
    const ranked = snap.index.topK(me, k, swipeViewFrom(excluded, sorted(new Set<number>(asker.liked_me))), extras);
    return { ranked, xmin: asker.xmin, version: Number(asker.version), swipedMe: new Set([...asker.passed_me, ...asker.liked_me]) };
  }

  /** Loads the index (once; a failed load is retried with backoff) and starts the background poll. */
  async ready(): Promise<Snapshot> {
    if (this.snap) return this.snap;
    this.loading ??= this.load().then(
      (snap) => {
        this.snap = snap;
        this.failures = 0;
        this.unlisten = listen(this.db, BULK_LOADED, () => this.reload());
        this.schedule();
        return snap;
      },
      (err) => {
        this.loading = undefined;
        if (this.abandoned) this.abandoned = false;
        else this.retryLoad(err);
        throw err;
      },
    );
    return this.loading;
  }

  /**
   * Gives up a first load under way (its thread is stopped, its memory freed); the next ready() starts
   * again. For a caller that no longer needs the index soon. Returns whether a load was given up.
   */
  abandonLoad(): boolean {
    if (this.snap || !this.loading || !this.loader) return false;
    this.abandoned = true;
    this.loader.stop();
    this.loader = undefined;
    return true;
  }

  /**
   * Someone's reach against the index's population, to store with a new or changed profile; undefined
   * while no index is loaded (the next rebuild counts it). Never waits on Postgres.
   */
  readonly reachOf: ReachOf = (who) => {
    const snap = this.snap;
    if (!snap) return undefined;
    snap.reach ??= reachSample(snap.index.parts().cols);
    return reachIn(snap.reach, who) || undefined;
  };

  get loaded(): boolean {
    return this.snap !== undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.retry);
    this.timer = undefined;
    void this.unlisten?.();
    this.loader?.stop();
    this.loader = undefined;
  }

  private retryLoad(err: unknown) {
    this.opts.onError?.(err);
    if (this.stopped || this.retry) return;
    const delay = Math.min(30_000, 500 * 2 ** this.failures++);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.ready().catch(() => {}); // failures schedule the next try
    }, delay);
    this.retry.unref();
  }

  private schedule(delay = this.opts.pollMs ?? 1_000) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.poll()
        .catch((err) => this.opts.onError?.(err)) // Postgres away: the next poll catches up
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  private pollSoon() {
    if (this.timer) this.schedule(0);
  }

  /** A fresh index built in the background; the current one keeps serving until it is ready. */
  private reload(): Promise<void> {
    this.reloading ??= this.load()
      .then((snap) => {
        this.snap = snap;
      })
      .catch((err) => this.opts.onError?.(err))
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }

  private async poll(): Promise<void> {
    const snap = this.snap!;
    if (this.reloading) return;
    // Every request goes over the delta, and a reload costs about what the population does: fold
    // in up to an eighth of it (at least 1,000 users, at most rebuildAt) before reloading. Loading a
    // few thousand users takes milliseconds, so a system filling up (a bulk load into an empty one)
    // keeps its delta short.
    const limit = Math.min(this.opts.rebuildAt ?? 20_000, Math.max(1_000, snap.index.size >> 3));
    if (snap.delta.size >= limit) return this.reload();
    // One snapshot: it becomes the watermark once every change it saw is folded in.
    const found = await withTransaction(
      this.db,
      async (client) => {
        const [{ snapshot }] = await rows(client, 'snapshot_xmin');
        const all: ChangeRow[] = [];
        for (let after: [string, number] = ['0', 0]; ; ) {
          const batch = await preparedRows<ChangeRow>(client, 'changed_since', [snap.watermark, after[0], after[1], POLL_BATCH]);
          all.push(...batch);
          if (all.length + snap.delta.size > limit) return undefined;
          if (batch.length < POLL_BATCH) return { snapshot: snapshot as string, all };
          const last = batch.at(-1)!;
          after = [last.change_xid, last.id];
        }
      },
      'snapshot',
    );
    if (!found) return this.reload();
    if (this.snap !== snap) return; // swapped meanwhile
    for (const r of found.all) snap.delta.set(r.id, asCandidate(r));
    if (found.all.length) Object.assign(snap, deltaView(snap.delta));
    snap.watermark = found.snapshot;
  }

  private async load(): Promise<Snapshot> {
    const url = (this.db as { options?: { connectionString?: string } }).options?.connectionString;
    const { weights } = this.opts;
    if (url && this.opts.offThread !== false) this.loader ??= new OffThreadLoader(url, weights);
    const { index, watermark } = this.loader ? await this.loader.load() : await loadIndex(this.db, weights);
    return { index, delta: new Map(), watermark, ...deltaView(new Map()) };
  }
}

function deltaView(delta: Map<number, Candidate | null>): Pick<Snapshot, 'deltaIds' | 'deltaShown'> {
  return {
    deltaIds: Int32Array.from(delta.keys()).sort(),
    deltaShown: [...delta.values()].filter((v): v is Candidate => v !== null),
  };
}

/** Two sorted id lists as one (an id on both appears twice, which the swipe view allows). */
function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  if (!a.length) return b;
  if (!b.length) return a;
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, o = 0;
  while (i < a.length && j < b.length) out[o++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[o++] = a[i++]!;
  while (j < b.length) out[o++] = b[j++]!;
  return out;
}

type LoadReply = { load: number; error?: string; parts: Parameters<typeof MatchIndex.fromParts>[0]; watermark: string };

/** loadIndex in a worker thread, one for the life of the LiveIndex; the built index comes back as transferred buffers. */
class OffThreadLoader {
  private worker?: Worker;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (l: Loaded) => void; reject: (e: Error) => void }>();

  constructor(private readonly databaseUrl: string, private readonly weights?: Weights) {}

  load(): Promise<Loaded> {
    const worker = this.thread();
    const load = ++this.next;
    worker.ref(); // a load under way keeps the process alive; an idle loader does not
    return new Promise((resolve, reject) => {
      this.waiting.set(load, { resolve, reject });
      worker.postMessage({ load });
    });
  }

  stop(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./live-index-thread.mjs', import.meta.url), {
      workerData: { liveIndexLoad: true, databaseUrl: this.databaseUrl, weights: this.weights },
    });
    worker.on('message', (m: LoadReply) => {
      const w = this.waiting.get(m.load);
      this.waiting.delete(m.load);
      if (!this.waiting.size) worker.unref();
      if (m.error) w?.reject(new Error(m.error));
      else w?.resolve({ index: MatchIndex.fromParts(m.parts), watermark: m.watermark });
    });
    // A thread that failed or stopped fails what it was doing; the next load starts another.
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`the live index loader stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
