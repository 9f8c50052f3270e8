// Idempotency-Key records in Postgres (table idempotency_keys, migration 0006). Postgres rather than
// Redis: a record cannot be rebuilt from anything (the standards keep Redis for what can be), it must
// survive a Redis restart or eviction (a retried /register must never make a second account), and it
// costs two short indexed statements, paid only by requests that carry a key.
import { type Db, pgErrorCode, rows } from './db.js';

export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'done'; fingerprint: Buffer; response: StoredResponse }
  | { kind: 'running'; fingerprint: Buffer }
  /** The scope's user no longer exists: no record can be kept for them. */
  | { kind: 'unscoped' };

export interface KeyRef {
  scope: string;
  key: string;
}

/** Claims `ref` for a first request, or says what an earlier one with the key left. */
export async function claimKey(db: Db, ref: KeyRef, userId: number | null, fingerprint: Buffer, ttlS: number, lockS: number, retry = true): Promise<Claim> {
  try {
    const [won] = await rows(db, 'claim_idempotency_key', [ref.scope, ref.key, userId, fingerprint, ttlS, lockS]);
    if (won) return { kind: 'claimed' };
  } catch (err) {
    if (pgErrorCode(err) === '23503') return { kind: 'unscoped' };
    throw err;
  }
  const found = await findKey(db, ref, ttlS);
  if (found) return found;
  // Gone between the two statements (released, or expired and purged): try once more.
  if (retry) return claimKey(db, ref, userId, fingerprint, ttlS, lockS, false);
  return { kind: 'running', fingerprint };
}

/** The live record of `ref`: finished (with its response) or still running. */
export async function findKey(db: Db, ref: KeyRef, ttlS: number): Promise<Exclude<Claim, { kind: 'claimed' | 'unscoped' }> | undefined> {
  const [row] = await rows(db, 'get_idempotency_key', [ref.scope, ref.key, ttlS]);
  if (!row) return undefined;
  if (row.status === null) return { kind: 'running', fingerprint: row.fingerprint };
  return { kind: 'done', fingerprint: row.fingerprint, response: { status: row.status, contentType: row.content_type, body: row.body } };
}

export async function completeKey(db: Db, ref: KeyRef, response: StoredResponse): Promise<void> {
  await rows(db, 'complete_idempotency_key', [ref.scope, ref.key, response.status, response.contentType, response.body]);
}

export async function releaseKey(db: Db, ref: KeyRef): Promise<void> {
  await rows(db, 'release_idempotency_key', [ref.scope, ref.key]);
}

export async function purgeExpiredKeys(db: Db, ttlS: number): Promise<void> {
  await rows(db, 'purge_idempotency_keys', [ttlS]);
}
