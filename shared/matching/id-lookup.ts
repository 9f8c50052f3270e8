/** The row of a user id in a column of ids: an open-addressing hash table, built on first use. */
export class IdLookup {
  private slotRow: Int32Array | null = null;
  private mask = 0;

  /** `table`: one built elsewhere for the same ids (see table()). */
  constructor(private readonly ids: Int32Array, table?: Int32Array) {
    if (table) this.adopt(table);
  }

  /** The hash table, built now if it was not: another thread can build it and send it with the ids. */
  table(): Int32Array {
    return (this.slotRow ??= this.build());
  }

  private adopt(table: Int32Array) {
    this.slotRow = table;
    this.mask = table.length - 1;
  }

  /** The row holding `id` (the first, if it repeats), or -1. */
  rowOf(id: number): number {
    const table = (this.slotRow ??= this.build());
    for (let slot = hash(id) & this.mask; ; slot = (slot + 1) & this.mask) {
      const row = table[slot]!;
      if (row < 0 || this.ids[row] === id) return row;
    }
  }

  private build(): Int32Array {
    const size = 2 ** Math.ceil(Math.log2(2 * this.ids.length + 2)); // at most half full
    this.mask = size - 1;
    const table = new Int32Array(size).fill(-1);
    for (let row = 0; row < this.ids.length; row++) {
      let slot = hash(this.ids[row]!) & this.mask;
      while (table[slot]! >= 0 && this.ids[table[slot]!] !== this.ids[row]) slot = (slot + 1) & this.mask;
      if (table[slot]! < 0) table[slot] = row;
    }
    return table;
  }
}

/** Fibonacci hashing: consecutive ids land far apart. */
const hash = (id: number): number => Math.imul(id, 0x9e3779b1) >>> 7;
