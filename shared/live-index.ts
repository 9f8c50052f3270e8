// The live path: exact potential matches at request time, from an in-process index of everyone
// (shared/matching, ~13 bytes a user) plus what Postgres says changed since the index was read.
//
// A request reads the asker's current row and swipes, and the users changed since the last poll,
// from Postgres; the index answers for everyone else. Index rows of users who changed since it was
// built are excluded and those users are judged on their current rows instead, so the page is what
// the contract's rules say at that moment. A background poll folds changes into the delta, and the
// index is rebuilt when the delta grows large.
import { candidateOfFields, candidateOfRow } from './candidates.js';
import { eachCopyRow } from './copy-text.js';
import { type Pool, copyOutQuery, listen, rows, withTransaction } from './db.js';
import { type Ranked, MatchIndex, columnsFrom, swipeViewFrom } from './matching/engine.js';
import type { Candidate } from './matching/types.js';
import type { Weights } from './matching/score.js';

/** NOTIFY channel of bulk loads (seed, CSV import): their rows predate what a poll looks for. */
export const BULK_LOADED = 'mm_users_bulk_loaded';

// Rows are stamped with their transaction's start: one that commits a little after a poll carries
// a time before it. Re-reading this much behind every poll catches those.
const OVERLAP_MS = 2_000;

interface Snapshot {
  index: MatchIndex;
  /** Users changed since the index was read (their index rows are stale), by id. */
  delta: Map<number, Candidate>;
  /** Everything changed before this (server time) is in index + delta. */
  polledAt: Date;
}

export interface LiveIndexOptions {
  pollMs?: number;
  /** Rebuild the index once this many users changed since it was read. */
  rebuildAt?: number;
  /** The ranking (shared/config.ts rankingWeights); the engine's default otherwise. */
  weights?: Weights;
}

export class LiveIndex {
  private snap?: Snapshot;
  private loading?: Promise<Snapshot>;
  private timer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  /** A bulk load committed: the next poll reloads everything. */
  private stale = false;

  constructor(readonly db: Pool, private readonly opts: LiveIndexOptions = {}) {}

  /** The asker's top k by the contract's rules right now; undefined when the user does not exist. */
  async topK(userId: number, k: number): Promise<Ranked[] | undefined> {
    const snap = await this.ready();
    const [[asker], changed] = await Promise.all([
      rows(this.db, 'asker', [userId]),
      rows(this.db, 'changed_candidates', [new Date(snap.polledAt.getTime() - OVERLAP_MS)]),
    ]);
    if (!asker) return undefined;
    const me = candidateOfRow(asker);
    const fresh = new Map(snap.delta);
    for (const r of changed) if (r.id !== null) fresh.set(r.id, candidateOfRow(r));

    const hidden = new Set<number>([...asker.swiped, ...asker.passed_me]);
    const liked = new Set<number>(asker.liked_me);
    const sorted = (ids: Iterable<number>) => Int32Array.from(ids).sort();
    // The index's rows of changed users are stale: leave them out there and judge their current rows
    // (in the same ranking, as the liked-you cap spans both).
    const extras = [...fresh.values()].filter((v) => !hidden.has(v.id));
    return snap.index.topK(me, k, swipeViewFrom(sorted(new Set([...hidden, ...fresh.keys()])), sorted(liked)), extras);
  }

  /** Loads the index (once) and starts the background poll. */
  async ready(): Promise<Snapshot> {
    if (this.snap) return this.snap;
    this.loading ??= this.load().then((snap) => {
      this.snap = snap;
      this.unlisten = listen(this.db, BULK_LOADED, () => (this.stale = true));
      this.schedule();
      return snap;
    });
    return this.loading;
  }

  get loaded(): boolean {
    return this.snap !== undefined;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.unlisten?.();
  }

  private schedule() {
    this.timer = setTimeout(() => {
      this.poll()
        .catch(() => {}) // Postgres away: the next poll (or request) catches up.
        .finally(() => this.timer && this.schedule());
    }, this.opts.pollMs ?? 1_000);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const snap = this.snap!;
    if (this.stale || snap.delta.size >= (this.opts.rebuildAt ?? 20_000)) {
      this.stale = false; // a load that commits from now on sets it again
      this.snap = await this.load().catch((err) => {
        this.stale = true;
        throw err;
      });
      return;
    }
    const changed = await rows(this.db, 'changed_candidates', [new Date(snap.polledAt.getTime() - OVERLAP_MS)]);
    for (const r of changed) if (r.id !== null) snap.delta.set(r.id, candidateOfRow(r));
    snap.polledAt = changed[0]!.at;
  }

  private async load(): Promise<Snapshot> {
    return withTransaction(
      this.db,
      async (client) => {
        const { rows: [{ at }] } = await client.query<{ at: Date }>('select now() as at');
        const users: Candidate[] = [];
        await eachCopyRow(copyOutQuery(client, 'population', []), (f) => users.push(candidateOfFields(f)));
        return { index: new MatchIndex(columnsFrom(users), this.opts.weights), delta: new Map(), polledAt: at! };
      },
      'snapshot',
    );
  }
}
