// Cuts the population into partitions of about equal head count: runs of (gender, age, height)
// cells in that order, so a partition is a band of ages (with heights cut at its two ends) of one
// gender. Pure: it takes the cell counts and returns the plan.

export interface Partition {
  genderBit: number;
  /** Inclusive bounds on (age, height), compared as a pair. */
  from: [number, number];
  to: [number, number];
  users: number;
}

export interface Cell {
  gender_bit: number;
  age: number;
  height: number;
  n: number;
}

export function planPartitions(cells: readonly Cell[], wanted: number): Partition[] {
  const total = cells.reduce((s, c) => s + c.n, 0);
  if (total === 0) return [];
  const target = Math.max(1, Math.ceil(total / wanted));
  const parts: Partition[] = [];
  let open: Partition | undefined;
  for (const c of cells) {
    if (open && (open.genderBit !== c.gender_bit || open.users >= target)) {
      parts.push(open);
      open = undefined;
    }
    open ??= { genderBit: c.gender_bit, from: [c.age, c.height], to: [c.age, c.height], users: 0 };
    open.to = [c.age, c.height];
    open.users += c.n;
  }
  if (open) parts.push(open);
  return parts;
}
