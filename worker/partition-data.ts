// What a full rebuild ranks from: the whole population, streamed out of Postgres with COPY in one
// snapshot, into columns (typed arrays). A worker process reads it once per rebuild run and ranks
// every partition it is handed from it (worker/processors/rebuild-partition.ts caches it by run),
// instead of reading each partition's candidates again (about half the population each time).
//
// Versions: every list ranked from a population carries that snapshot's xmin, and every card and
// list its owner's users.version in it, so lists stay newer-wins on (xmin, owner version) whichever
// process read which snapshot (shared/feed-store.ts).
import { type Pool, copyOutQuery, rows, withTransaction } from '../shared/db.js';
import { copyInt, copyText, eachCopyRowBytes } from '../shared/copy-text.js';
import { CANDIDATE_COLUMNS as C } from '../shared/candidates.js';
import { type ReachSample, reachMoved, reachOf, reachSample } from '../shared/matching/reach.js';
import { type CardCheck, packCard } from '../shared/cards.js';
import { type Gender, GENDERS, genderBit } from '../shared/genders.js';
import { type Columns, MatchIndex, askerOrder, emptyColumns } from '../shared/matching/engine.js';
import { interestsAt, setInterests } from '../shared/matching/columns.js';
import type { Weights } from '../shared/matching/score.js';
import type { Partition } from '../shared/rebuild-plan.js';

export interface Population {
  /** The snapshot's xmin: the lists' version (every transaction below it is reflected). */
  xmin: string;
  /** When the snapshot was taken (ms): the lists' generatedAt, for display. */
  readAt: number;
  /** Every user, one row each (matching's columns). */
  cols: Columns;
  /** Per row: users.version in the snapshot (the list's tie-break and the card's version). */
  version: Float64Array;
  /** Per row: may be shown to others (not paused, not suspended). */
  shown: Uint8Array;
  /** How many may be shown: the engine's candidates. */
  shownCount: number;
  name: string[];
  bio: (string | null)[];
  /** Per row, sorted ids without repeats: who to leave out (own swipes, who passed on them, blocks either way) and who liked them. */
  excluded: Ragged;
  likedBy: Ragged;
  /** The shown users' index, built on first use and shared by every partition ranked from this population. */
  index?: MatchIndex;
  /** The shown users' reach sample (shared/matching/reach.ts), drawn on first use. */
  reach?: ReachSample;
  /** Every row in askerOrder (engine.ts), computed on first use: the order partitions are ranked in. */
  order?: Int32Array;
}

/** Per row r: ids[start[r] .. start[r] + length[r]). */
export interface Ragged {
  start: Int32Array;
  length: Int32Array;
  ids: Int32Array;
}

/** One partition of a population: its members' rows. */
export interface PartitionData {
  population: Population;
  xmin: string;
  readAt: number;
  rows: Int32Array;
  memberIds: Int32Array;
}

const GENDER_OF_BIT = new Map<number, Gender | null>([[1, null], ...GENDERS.map((g): [number, Gender] => [genderBit(g), g])]);

/** Int32s appended one by one: `data` holds them up to `length`. */
class IntBuffer {
  data = new Int32Array(1 << 16);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Rows by user id: a dense table (ids are serial), or a map when they are sparse. */
function rowLookup(ids: Int32Array, n: number): (id: number) => number {
  let max = 0;
  for (let i = 0; i < n; i++) if (ids[i]! > max) max = ids[i]!;
  if (max <= 4 * n + 1024) {
    const table = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < n; i++) table[ids[i]!] = i;
    return (id) => (id >= 0 && id <= max ? table[id]! : -1);
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) map.set(ids[i]!, i);
  return (id) => map.get(id) ?? -1;
}

/** Pairs (row, id) as per-row sorted lists without repeats (a pair can be both swiped and blocked). */
function ragged(n: number, owners: IntBuffer, ids: IntBuffer): Ragged {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < owners.length; i++) start[owners.data[i]! + 1] = start[owners.data[i]! + 1]! + 1;
  for (let r = 0; r < n; r++) start[r + 1] = start[r + 1]! + start[r]!;
  const fill = start.slice(0, n);
  const out = new Int32Array(owners.length);
  for (let i = 0; i < owners.length; i++) {
    const r = owners.data[i]!;
    out[fill[r]!] = ids.data[i]!;
    fill[r] = fill[r]! + 1;
  }
  const length = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const seg = out.subarray(start[r]!, start[r + 1]!).sort();
    let k = 0;
    for (let j = 0; j < seg.length; j++) if (j === 0 || seg[j] !== seg[j - 1]) seg[k++] = seg[j]!;
    length[r] = k;
  }
  return { start: start.subarray(0, n), length, ids: out };
}

export async function loadPopulation(db: Pool): Promise<Population> {
  return withTransaction(
    db,
    async (client) => {
      const [{ xmin }] = await rows(client, 'snapshot_xmin');
      const readAt = Date.now();
      // Sized once from a count in the same snapshot; the row callback defines no functions (it runs a million times).
      const [{ users }] = await rows(client, 'count_users');
      const cols = emptyColumns(Number(users));
      const version = new Float64Array(cols.id.length);
      const shown = new Uint8Array(cols.id.length);
      const name: string[] = [];
      const bio: (string | null)[] = [];
      let n = 0;
      await eachCopyRowBytes(copyOutQuery(client, 'rebuild_users', []), C + 4, (b, s, e) => {
        if (n === cols.id.length) throw new Error('more users than counted in the same snapshot');
        cols.id[n] = copyInt(b, s[0]!, e[0]!); cols.age[n] = copyInt(b, s[1]!, e[1]!); cols.height[n] = copyInt(b, s[2]!, e[2]!);
        cols.genderBit[n] = copyInt(b, s[3]!, e[3]!); cols.interestMask[n] = copyInt(b, s[4]!, e[4]!);
        cols.ageMin[n] = copyInt(b, s[5]!, e[5]!); cols.ageMax[n] = copyInt(b, s[6]!, e[6]!);
        cols.heightMin[n] = copyInt(b, s[7]!, e[7]!); cols.heightMax[n] = copyInt(b, s[8]!, e[8]!);
        cols.likesGiven[n] = copyInt(b, s[9]!, e[9]!); cols.passesGiven[n] = copyInt(b, s[10]!, e[10]!);
        cols.likesReceived[n] = copyInt(b, s[11]!, e[11]!); cols.passesReceived[n] = copyInt(b, s[12]!, e[12]!);
        cols.days[n] = copyInt(b, s[13]!, e[13]!); cols.idleDays[n] = copyInt(b, s[14]!, e[14]!);
        cols.reach[n] = copyInt(b, s[15]!, e[15]!);
        // Interest tags as JSON ('[]' and \N: none).
        if (e[16]! - s[16]! > 2) {
          const t = JSON.parse(copyText(b, s[16]!, e[16]!)!) as string[];
          setInterests(cols, n, t);
        }
        name.push(copyText(b, s[C]!, e[C]!)!);
        bio.push(copyText(b, s[C + 1]!, e[C + 1]!));
        version[n] = copyInt(b, s[C + 2]!, e[C + 2]!);
        shown[n] = b[s[C + 3]!] === 116 ? 1 : 0; // 't'
        n++;
      });
      cols.length = n;
      const rowOf = rowLookup(cols.id, n);
      const exOwner = new IntBuffer(), exId = new IntBuffer(), likeOwner = new IntBuffer(), likeId = new IntBuffer();
      await eachCopyRowBytes(copyOutQuery(client, 'rebuild_swipes', []), 3, (buf, s, e) => {
        const a = copyInt(buf, s[0]!, e[0]!), b = copyInt(buf, s[1]!, e[1]!);
        const ra = rowOf(a), rb = rowOf(b);
        // a swiped (or blocked) b: b is out of a's list; b's list leaves a out unless a liked b.
        if (ra >= 0) { exOwner.push(ra); exId.push(b); }
        if (rb >= 0) {
          if (buf[s[2]!] === 108) { likeOwner.push(rb); likeId.push(a); } // 'l'
          else { exOwner.push(rb); exId.push(a); }
        }
      });
      return {
        xmin: xmin as string, readAt, cols, version: version.subarray(0, n), shown: shown.subarray(0, n), shownCount: shown.subarray(0, n).reduce((a, b) => a + b, 0), name, bio,
        excluded: ragged(n, exOwner, exId), likedBy: ragged(n, likeOwner, likeId),
      };
    },
    'snapshot', // one consistent view of users, swipes and blocks
  );
}

/** The columns of everyone who may be shown: the engine's candidates. */
export function indexColumns(cols: Columns, shown: Uint8Array): Columns {
  const keep: number[] = [];
  for (let r = 0; r < cols.length; r++) if (shown[r]) keep.push(r);
  const sub = emptyColumns(keep.length);
  for (const key of Object.keys(cols) as (keyof Columns)[]) {
    const from = cols[key];
    const to = sub[key];
    if (ArrayBuffer.isView(from)) for (let i = 0; i < keep.length; i++) (to as Int32Array)[i] = (from as Int32Array)[keep[i]!]!;
  }
  sub.interestLists = cols.interestLists; // interestOf came with the typed arrays
  sub.length = keep.length;
  return sub;
}

/** The index of everyone who may be shown, built once per population (ranking on the caller's thread). */
export function populationIndex(pop: Population, weights?: Weights): MatchIndex {
  pop.index ??= new MatchIndex(indexColumns(pop.cols, pop.shown), weights);
  return pop.index;
}

/**
 * The members' reach counted against the population, where it moved from what they have stored
 * (reachMoved): the ids and values for the next run to rank with.
 */
export function changedReach(pop: Population, rows: Int32Array): { ids: number[]; ppm: number[] } {
  pop.reach ??= reachSample(pop.cols, pop.shown);
  const counted = reachOf(pop.reach, pop.cols, rows);
  const ids: number[] = [], ppm: number[] = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (reachMoved(pop.cols.reach[r]!, counted[k]!)) {
      ids.push(pop.cols.id[r]!);
      ppm.push(counted[k]!);
    }
  }
  return { ids, ppm };
}

/**
 * A partition's members: rows of its gender with (age, height) inside its bounds, in askerOrder, so
 * that consecutive askers search the same buckets (ranking them in the order Postgres returned them
 * took 20-25% longer at 1M users).
 */
export function partitionOf(pop: Population, p: Partition): PartitionData {
  const { cols } = pop;
  const order = (pop.order ??= askerOrder(cols));
  const lo = p.from[0] * 1000 + p.from[1], hi = p.to[0] * 1000 + p.to[1];
  const picked: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    if (cols.genderBit[r] !== p.genderBit) continue;
    const at = cols.age[r]! * 1000 + cols.height[r]!;
    if (at >= lo && at <= hi) picked.push(r);
  }
  const rowsOut = Int32Array.from(picked);
  return { population: pop, xmin: pop.xmin, readAt: pop.readAt, rows: rowsOut, memberIds: rowsOut.map((r) => cols.id[r]!) };
}

/** One partition from a snapshot of its own (tests, and a worker without a cached population). */
export async function readPartition(db: Pool, p: Partition): Promise<PartitionData> {
  return partitionOf(await loadPopulation(db), p);
}

/** The member's card value (shared/cards.ts), from the population. */
export function memberCard(pop: Population, row: number): string {
  const { cols } = pop;
  const m: CardCheck = {
    genderBit: cols.genderBit[row]!, interestMask: cols.interestMask[row]!, age: cols.age[row]!, height: cols.height[row]!,
    ageMin: cols.ageMin[row]!, ageMax: cols.ageMax[row]!, heightMin: cols.heightMin[row]!, heightMax: cols.heightMax[row]!,
  };
  const card = {
    id: cols.id[row]!, name: pop.name[row]!, age: cols.age[row]!, height: cols.height[row]!,
    gender: GENDER_OF_BIT.get(cols.genderBit[row]!) ?? null, bio: pop.bio[row]!, interests: interestsAt(cols, row) ?? [],
  };
  return packCard(pop.version[row]!, pop.shown[row] === 1, m, JSON.stringify(card));
}
