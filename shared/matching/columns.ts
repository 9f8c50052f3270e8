import type { Candidate } from './types.js';

/** Columnar population: row i is one user. Ages 18..120, heights 100..250 fit in Uint8. */
export interface Columns {
  length: number;
  id: Int32Array;
  age: Uint8Array;
  height: Uint8Array;
  genderBit: Uint8Array;
  interestMask: Uint8Array;
  ageMin: Uint8Array;
  ageMax: Uint8Array;
  heightMin: Uint8Array;
  heightMax: Uint8Array;
  likesGiven: Int32Array;
  passesGiven: Int32Array;
  likesReceived: Int32Array;
  passesReceived: Int32Array;
  days: Int32Array;
  idleDays: Int32Array;
  /** Reach (reach.ts), parts per million; 0 = not known yet. */
  reach: Int32Array;
  /**
   * Interest tags per row, as an index into interestLists (0: none). Not an array of a million
   * arrays: a typed array crosses to another thread as a transferred buffer, where cloning such an
   * array took 80-230 ms of the receiving thread at a million users (the API's, at each reload).
   */
  interestOf: Int32Array;
  /** The distinct tag lists; entry 0 is null. */
  interestLists: (readonly string[] | null)[];
}

/** Per Columns being filled: tag list (joined) -> its index in interestLists. */
const interned = new WeakMap<Columns, Map<string, number>>();

export function interestsAt(cols: Columns, row: number): readonly string[] | null {
  return cols.interestLists[cols.interestOf[row]!]!;
}

export function setInterests(cols: Columns, row: number, tags: readonly string[] | null | undefined): void {
  if (!tags?.length) {
    cols.interestOf[row] = 0;
    return;
  }
  let dict = interned.get(cols);
  if (!dict) {
    dict = new Map(cols.interestLists.flatMap((l, i): [string, number][] => (l ? [[l.join('\u0000'), i]] : [])));
    interned.set(cols, dict);
  }
  const key = tags.join('\u0000');
  let i = dict.get(key);
  if (i === undefined) {
    i = cols.interestLists.push(tags) - 1;
    dict.set(key, i);
  }
  cols.interestOf[row] = i;
}

/** Preallocated columns: fill rows 0..n-1, then set `length` to n. */
export function emptyColumns(capacity: number): Columns {
  return {
    length: 0,
    id: new Int32Array(capacity),
    age: new Uint8Array(capacity),
    height: new Uint8Array(capacity),
    genderBit: new Uint8Array(capacity),
    interestMask: new Uint8Array(capacity),
    ageMin: new Uint8Array(capacity),
    ageMax: new Uint8Array(capacity),
    heightMin: new Uint8Array(capacity),
    heightMax: new Uint8Array(capacity),
    likesGiven: new Int32Array(capacity),
    passesGiven: new Int32Array(capacity),
    likesReceived: new Int32Array(capacity),
    passesReceived: new Int32Array(capacity),
    days: new Int32Array(capacity),
    idleDays: new Int32Array(capacity),
    reach: new Int32Array(capacity),
    interestOf: new Int32Array(capacity),
    interestLists: [null],
  };
}

/** A copy trimmed to `length`, so the caller may reuse its buffers. */
export function copyColumns(cols: Columns): Columns {
  const n = cols.length;
  return {
    length: n,
    id: cols.id.slice(0, n),
    age: cols.age.slice(0, n),
    height: cols.height.slice(0, n),
    genderBit: cols.genderBit.slice(0, n),
    interestMask: cols.interestMask.slice(0, n),
    ageMin: cols.ageMin.slice(0, n),
    ageMax: cols.ageMax.slice(0, n),
    heightMin: cols.heightMin.slice(0, n),
    heightMax: cols.heightMax.slice(0, n),
    likesGiven: cols.likesGiven.slice(0, n),
    passesGiven: cols.passesGiven.slice(0, n),
    likesReceived: cols.likesReceived.slice(0, n),
    passesReceived: cols.passesReceived.slice(0, n),
    days: cols.days.slice(0, n),
    idleDays: cols.idleDays.slice(0, n),
    reach: cols.reach.slice(0, n),
    interestOf: cols.interestOf.slice(0, n),
    interestLists: cols.interestLists.slice(),
  };
}

export function setRow(cols: Columns, row: number, u: Candidate): void {
  cols.id[row] = u.id;
  cols.age[row] = u.age;
  cols.height[row] = u.height;
  cols.genderBit[row] = u.genderBit;
  cols.interestMask[row] = u.interestMask;
  cols.ageMin[row] = u.ageMin;
  cols.ageMax[row] = u.ageMax;
  cols.heightMin[row] = u.heightMin;
  cols.heightMax[row] = u.heightMax;
  cols.likesGiven[row] = u.likesGiven ?? 0;
  cols.passesGiven[row] = u.passesGiven ?? 0;
  cols.likesReceived[row] = u.likesReceived ?? 0;
  cols.passesReceived[row] = u.passesReceived ?? 0;
  cols.days[row] = u.days ?? 0;
  cols.idleDays[row] = u.idleDays ?? 0;
  cols.reach[row] = u.reach ?? 0;
  setInterests(cols, row, u.interests);
}

export function rowAt(cols: Columns, row: number): Candidate {
  return {
    id: cols.id[row]!,
    age: cols.age[row]!,
    height: cols.height[row]!,
    genderBit: cols.genderBit[row]!,
    interestMask: cols.interestMask[row]!,
    ageMin: cols.ageMin[row]!,
    ageMax: cols.ageMax[row]!,
    heightMin: cols.heightMin[row]!,
    heightMax: cols.heightMax[row]!,
    likesGiven: cols.likesGiven[row]!,
    passesGiven: cols.passesGiven[row]!,
    likesReceived: cols.likesReceived[row]!,
    passesReceived: cols.passesReceived[row]!,
    days: cols.days[row]!,
    idleDays: cols.idleDays[row]!,
    reach: cols.reach[row]!,
    interests: interestsAt(cols, row),
  };
}

/**
 * Columns filled a row at a time, with no count up front: the capacity doubles as rows come, and
 * `done` trims to the rows pushed. A load of a million users holds its columns (tens of MB) and
 * never an array of a million row objects (about 250 MB of heap at its peak, issue 7).
 */
export function columnsBuilder(initialCapacity = 1024) {
  let cols = emptyColumns(Math.max(1, initialCapacity));
  return {
    push(u: Candidate): void {
      if (cols.length === cols.id.length) cols = grown(cols, cols.id.length * 2);
      setRow(cols, cols.length, u);
      cols.length++;
    },
    done: (): Columns => copyColumns(cols),
  };
}

function grown(cols: Columns, capacity: number): Columns {
  const next = emptyColumns(capacity);
  for (const key of Object.keys(cols) as (keyof Columns)[]) {
    const from = cols[key];
    if (ArrayBuffer.isView(from)) (next[key] as Int32Array).set(from as Int32Array);
  }
  next.interestLists = cols.interestLists; // setInterests indexes them again for the new columns
  next.length = cols.length;
  return next;
}

/** Convenience for tests and benchmarks; the worker fills `emptyColumns` straight from COPY. */
export function columnsFrom(users: readonly Candidate[]): Columns {
  const cols = emptyColumns(users.length);
  users.forEach((u, i) => setRow(cols, i, u));
  cols.length = users.length;
  return cols;
}
