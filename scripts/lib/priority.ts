import { constants, setPriority } from 'node:os';

/**
 * Background work on a machine that may be serving (a bulk load, npm start's workers): this thread,
 * and the threads it starts afterwards, which inherit it, run below normal CPU priority, so requests
 * come first. Where the priority cannot be lowered, it runs as it is.
 */
export function runInBackground(): void {
  try {
    setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // not permitted here: no matter
  }
}
