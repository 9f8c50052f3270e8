import { readFileSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';

const BELOW_NORMAL = constants.priority.PRIORITY_BELOW_NORMAL;

/**
 * Background work on a machine that may be serving (a bulk load, npm start's workers, the live
 * index's loader thread): this thread, and the threads it starts afterwards, which inherit it, run
 * below normal CPU priority, so requests come first. Where the priority cannot be lowered, it runs as it is.
 */
export function runInBackground(): void {
  try {
    setPriority(BELOW_NORMAL);
  } catch {
    // not permitted here: no matter
  }
}

/**
 * The same for the Postgres backend doing our background work, when it runs on this machine: a
 * COPY of a million rows is a core of Postgres's CPU, not of ours. Only a process that is a
 * Postgres backend is touched (a pid from a server elsewhere may name anything here), and only
 * where lowering is permitted (root, or Postgres running as this user). Says whether it is now that low.
 */
export function lowerBackendPriority(pid: number): boolean {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('postgres')) return false;
    if (getPriority(pid) < BELOW_NORMAL) setPriority(pid, BELOW_NORMAL); // never raised
    return true;
  } catch {
    return false;
  }
}
