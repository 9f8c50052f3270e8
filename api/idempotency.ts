// Idempotency-Key on every POST (CONTRACT "Under load and faults"; IETF draft "The Idempotency-Key
// HTTP Header Field"; Stripe's behaviour). Applied to the whole app, keyed by what the request is, so
// POST routes added later are covered without doing anything.
//
// - The key is 1 to 255 printable characters, else 400 VALIDATION_ERROR.
// - Keys are per caller: the authenticated user, the operator, or (unauthenticated requests such as
//   /register, whatever credentials come with it) one global scope. Credentials are checked first: a
//   bad token skips all of this and the route answers 401 as before.
// - The first request runs; its answer (status, content type, body) is kept for IDEMPOTENCY_TTL_S
//   (24 h) when it is final: 2xx and 4xx. Answers that invite a retry are not kept, so the retry runs:
//   5xx, and 401, 408, 409, 425, 429.
// - A repeat with the same key and the same method, path and body gets the kept answer, with
//   `Idempotent-Replayed: true`, and changes nothing. The same key with a different request: 422
//   IDEMPOTENCY_KEY_REUSED. A repeat while the first still runs waits for it (up to WAIT_MS), then 409.
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../shared/errors.js';
import { type KeyRef, type StoredResponse, claimKey, completeKey, findKey, purgeExpiredKeys, releaseKey } from '../shared/idempotency-store.js';
import { identifyCaller } from './auth.js';
import type { AppEnv } from './context.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** POST routes that need no credentials: any Authorization header on them is ignored, as the route does. */
const PUBLIC_POSTS = new Set(['/register']);
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/** How long a repeat waits for the first request with its key before answering 409. */
const WAIT_MS = 5_000;
const POLL_MS = 25;
/** A first request still unfinished after this (its process died) may be taken over by a retry. */
const LOCK_S = 300;
const PURGE_EVERY_MS = 10 * 60_000;
const RETRYABLE = new Set([401, 408, 409, 425, 429]);

export const keptAnswer = (status: number) => status >= 200 && status < 500 && !RETRYABLE.has(status);

function fingerprintOf(c: Context, body: ArrayBuffer): Buffer {
  const url = new URL(c.req.url);
  return createHash('sha256').update(`${c.req.method} ${url.pathname}${url.search}\n`).update(new Uint8Array(body)).digest();
}

function replay(stored: StoredResponse): Response {
  const headers: Record<string, string> = { 'Idempotent-Replayed': 'true' };
  if (stored.contentType) headers['Content-Type'] = stored.contentType;
  return new Response(stored.body, { status: stored.status, headers });
}

const reused = () =>
  new AppError('IDEMPOTENCY_KEY_REUSED', `This ${IDEMPOTENCY_HEADER} was already used for a different request (method, path or body); use a new key.`);

let lastPurge = 0;

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (c.req.method !== 'POST' || key === undefined) return next();
  if (!KEY_PATTERN.test(key)) {
    throw new AppError('VALIDATION_ERROR', `The ${IDEMPOTENCY_HEADER} header must be 1 to 255 printable characters.`, [
      { field: IDEMPOTENCY_HEADER, message: 'must be 1 to 255 printable ASCII characters' },
    ]);
  }
  // A public route (/register) shares one scope whatever credentials come with it, as the contract says.
  const caller = PUBLIC_POSTS.has(c.req.path) ? 'anonymous' : await identifyCaller(c);
  if (caller === 'invalid') return next(); // the route refuses it: 401, as without a key
  let scope = '-';
  let userId: number | null = null;
  if (caller === 'operator') scope = 'op';
  else if (caller !== 'anonymous') {
    userId = caller.userId;
    scope = `u:${userId}`;
  }

  const { db, config, log } = c.get('deps');
  const ttl = config.IDEMPOTENCY_TTL_S;
  if (Date.now() - lastPurge > PURGE_EVERY_MS) {
    lastPurge = Date.now();
    purgeExpiredKeys(db, ttl).catch((err) => log.warn({ err }, 'could not purge expired idempotency keys'));
  }
  // Read once here; hono keeps it, so the route's own validation reads the same bytes.
  const fingerprint = fingerprintOf(c, await c.req.arrayBuffer());
  const ref: KeyRef = { scope, key };

  let claim = await claimKey(db, ref, userId, fingerprint, ttl, LOCK_S);
  if (claim.kind === 'unscoped') return next(); // the token's user is gone: the route answers for itself
  const deadline = Date.now() + WAIT_MS;
  while (claim.kind === 'running' && claim.fingerprint.equals(fingerprint) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    claim = (await findKey(db, ref, ttl)) ?? (await claimKey(db, ref, userId, fingerprint, ttl, LOCK_S));
    if (claim.kind === 'unscoped') return next();
  }
  if (claim.kind !== 'claimed') {
    if (!claim.fingerprint.equals(fingerprint)) throw reused();
    if (claim.kind === 'running') {
      c.header('Retry-After', '1');
      throw new AppError('CONFLICT', `A request with this ${IDEMPOTENCY_HEADER} is still being processed; retry shortly.`);
    }
    c.res = replay(claim.response);
    return;
  }

  // This request is the first: run it, then keep its answer (or let the key go, so a retry runs).
  try {
    await next();
  } catch (err) {
    await releaseKey(db, ref).catch(() => {});
    throw err;
  }
  const res = c.res;
  try {
    if (keptAnswer(res.status)) {
      await completeKey(db, ref, { status: res.status, contentType: res.headers.get('content-type'), body: await res.clone().text() });
    } else {
      await releaseKey(db, ref);
    }
  } catch (err) {
    // The request took effect; its answer still goes out. The claim stays until LOCK_S runs out.
    log.error({ err, scope, key }, 'could not record the answer for an Idempotency-Key');
  }
});

type OpenApiDoc = {
  paths?: Record<string, { post?: { parameters?: unknown[]; responses?: Record<string, unknown> } }>;
  components?: { parameters?: Record<string, unknown> };
};

/** Adds the header, as one reusable parameter, and its 409/422 answers to every POST of the OpenAPI document. */
export function documentIdempotencyKey<T extends OpenApiDoc>(doc: T): T {
  doc.components ??= {};
  doc.components.parameters = {
    ...doc.components.parameters,
    IdempotencyKey: {
      name: IDEMPOTENCY_HEADER,
      in: 'header',
      required: false,
      description:
        'Makes a retry safe: 1 to 255 printable ASCII characters, unique per request (a UUID, say). A repeat with the ' +
        'same key, method, path and body within 24 hours gets the first answer again (status and body, header ' +
        '`Idempotent-Replayed: true`) and changes nothing. Keys are per user (per operator; for /register and other ' +
        'unauthenticated requests, shared by all). 2xx and 4xx answers are kept; 5xx, 401, 408, 409, 425 and 429 are ' +
        'not, so a retry runs again. The same key with a different request: 422 IDEMPOTENCY_KEY_REUSED; while the first ' +
        'request with the key still runs, a repeat waits for it, or after 5 s gets 409 CONFLICT (Retry-After).',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$', example: '8e03978e-40d5-43e8-bc93-6894a57f9324' },
    },
  };
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  for (const item of Object.values(doc.paths ?? {})) {
    const post = item.post;
    if (!post) continue;
    post.parameters = [...(post.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
    post.responses = {
      ...post.responses,
      409: error('A request with the same Idempotency-Key is still being processed'),
      422: error('IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used for a different request'),
    };
  }
  return doc;
}
