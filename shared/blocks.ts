// Blocks and reports: each one transaction, serialised with the pair's swipes. A report also blocks.
import { type Client, type Pool, rows, withTransaction } from './db.js';
import { AppError, notFound } from './errors.js';

export const REPORT_REASONS = ['spam', 'harassment', 'fake_profile', 'underage', 'inappropriate', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** The caller's token names a user who no longer exists (deleted): refused like any invalid token. */
export const goneCaller = () => new AppError('UNAUTHORIZED', 'This account no longer exists.');

export interface BlockResult {
  /** The committing transaction's xid (pg_current_xact_id), for newer-wins writes to Redis. */
  xid: string;
  /** A match between the two was dissolved. */
  unmatched: boolean;
}

/** Inside the pair's lock: both exist, the block is recorded, any match between them is gone. */
async function blockInTx(tx: Client, userId: number, otherId: number): Promise<BlockResult> {
  if (userId === otherId) throw new AppError('SELF_ACTION', 'You cannot block or report yourself.');
  await rows(tx, 'lock_pair', [userId, otherId]);
  const [exists] = await rows<{ caller: boolean; other: boolean }>(tx, 'pair_exists', [userId, otherId]);
  if (!exists!.caller) throw goneCaller();
  if (!exists!.other) throw notFound(`User ${otherId}`);
  const [{ xid }] = (await rows<{ xid: string }>(tx, 'insert_block', [userId, otherId])) as [{ xid: string }];
  const dissolved = await rows(tx, 'delete_match', [userId, otherId]);
  return { xid, unmatched: dissolved.length > 0 };
}

export function block(pool: Pool, userId: number, otherId: number): Promise<BlockResult> {
  return withTransaction(pool, (tx) => blockInTx(tx, userId, otherId));
}

export interface ReportResult extends BlockResult {
  reportId: number;
  /** This report was the one that reached the threshold: the reported user is now suspended. */
  suspended: boolean;
}

export function report(
  pool: Pool,
  userId: number,
  otherId: number,
  r: { reason: ReportReason; text?: string | null },
  suspendThreshold: number,
): Promise<ReportResult> {
  return withTransaction(pool, async (tx) => {
    const blocked = await blockInTx(tx, userId, otherId);
    // Reports about one person are counted one at a time: the row lock orders them.
    if (!(await rows(tx, 'lock_reported', [otherId])).length) throw notFound(`User ${otherId}`);
    const [{ id }] = (await rows<{ id: string }>(tx, 'insert_report', [userId, otherId, r.reason, r.text ?? null])) as [{ id: string }];
    const suspended = (await rows(tx, 'suspend_if_reported', [otherId, suspendThreshold])).length > 0;
    return { ...blocked, reportId: Number(id), suspended };
  });
}
