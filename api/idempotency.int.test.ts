// Idempotency-Key on POST (CONTRACT "Under load and faults"), over a real Postgres and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, baseProfile, createTestApi } from '../test/support/api.js';
import { keptAnswer } from './idempotency.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi({ RATE_LIMITS: 'off' });
});
afterAll(() => t.close());

const count = async (table: string) => (await t.db.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;
const keyed = (key: string, headers: Record<string, string> = {}) => ({ headers: { 'idempotency-key': key, ...headers } });
let n = 0;
const freshKey = () => `key-${process.pid}-${++n}-${Math.random().toString(36).slice(2)}`;

describe('Idempotency-Key', () => {
  it('replays a /register: same status and body, no second account', async () => {
    const key = freshKey();
    const users = await count('users');
    const first = await t.call('POST', '/register', { body: { ...baseProfile, name: 'Once' }, ...keyed(key) });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await t.call('POST', '/register', { body: { ...baseProfile, name: 'Once' }, ...keyed(key) });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/application\/json/);
    expect(await count('users')).toBe(users + 1);
  });

  it('replays the like that made a match: 201 matched again, not 200 "repeated", and writes nothing', async () => {
    const a = await t.register();
    const b = await t.register();
    await t.call('POST', `/like/${b.id}/${a.id}`, { token: b.token });
    const key = freshKey();
    const first = await t.call('POST', `/like/${a.id}/${b.id}`, { token: a.token, ...keyed(key) });
    expect(first.status).toBe(201);
    expect(first.body.matched).toBe(true);
    const [swipes, matches] = [await count('swipes'), await count('matches')];
    const retry = await t.call('POST', `/like/${a.id}/${b.id}`, { token: a.token, ...keyed(key) });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect([await count('swipes'), await count('matches')]).toEqual([swipes, matches]);
    // Without the key the repeat is a new request: 200.
    expect((await t.call('POST', `/like/${a.id}/${b.id}`, { token: a.token })).status).toBe(200);
  });

  it('keeps a 4xx too: the same request again gets the same refusal', async () => {
    const key = freshKey();
    const bad = { ...baseProfile, age: 12 };
    const first = await t.call('POST', '/register', { body: bad, ...keyed(key) });
    expect(first.status).toBe(400);
    const again = await t.call('POST', '/register', { body: bad, ...keyed(key) });
    expect(again.status).toBe(400);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses the same key with a different body or path: 422 IDEMPOTENCY_KEY_REUSED, nothing written', async () => {
    const key = freshKey();
    expect((await t.call('POST', '/register', { body: { ...baseProfile, name: 'First' }, ...keyed(key) })).status).toBe(201);
    const users = await count('users');
    const other = await t.call('POST', '/register', { body: { ...baseProfile, name: 'Second' }, ...keyed(key) });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count('users')).toBe(users);

    const a = await t.register();
    const b = await t.register();
    const c = await t.register();
    const k2 = freshKey();
    expect((await t.call('POST', `/like/${a.id}/${b.id}`, { token: a.token, ...keyed(k2) })).status).toBe(201);
    const swipes = await count('swipes');
    const elsewhere = await t.call('POST', `/like/${a.id}/${c.id}`, { token: a.token, ...keyed(k2) });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count('swipes')).toBe(swipes);
  });

  it('runs one of ten concurrent duplicates; the others get its answer (or 409)', async () => {
    const key = freshKey();
    const users = await count('users');
    const all = await Promise.all(Array.from({ length: 10 }, () => t.call('POST', '/register', { body: { ...baseProfile, name: 'Racer' }, ...keyed(key) })));
    expect(await count('users')).toBe(users + 1);
    const created = all.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of created) expect(r.body).toEqual(created[0]!.body);
    for (const r of all.filter((r) => r.status !== 201)) expect([r.status, r.body.error.code]).toEqual([409, 'CONFLICT']);

    const a = await t.register();
    const b = await t.register();
    await t.call('POST', `/like/${b.id}/${a.id}`, { token: b.token });
    const k2 = freshKey();
    const likes = await Promise.all(Array.from({ length: 10 }, () => t.call('POST', `/like/${a.id}/${b.id}`, { token: a.token, ...keyed(k2) })));
    const done = likes.filter((r) => r.status !== 409);
    expect(done.length).toBeGreaterThanOrEqual(1);
    // One like ran: every answer is the first one's, 201 with the match.
    for (const r of done) expect([r.status, r.body]).toEqual([201, { liked_user_id: b.id, matched: true, matched_at: expect.any(String) }]);
    expect(new Set(done.map((r) => r.body.matched_at)).size).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['a control character', 'a\tb'],
    ['not ASCII', 'clé'],
  ])('refuses a key that is %s: 400 VALIDATION_ERROR, nothing written', async (_, key) => {
    const users = await count('users');
    const res = await t.call('POST', '/register', { body: baseProfile, ...keyed(key) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details[0].field).toBe('Idempotency-Key');
    expect(await count('users')).toBe(users);
  });

  it('accepts a key of 255 printable characters', async () => {
    const key = `${freshKey()} ~!`.padEnd(255, 'z');
    expect((await t.call('POST', '/register', { body: baseProfile, ...keyed(key) })).status).toBe(201);
    expect((await t.call('POST', '/register', { body: baseProfile, ...keyed(key) })).headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps /register in one scope for everyone, whatever token comes with it', async () => {
    const a = await t.register();
    const key = freshKey();
    const first = await t.call('POST', '/register', { body: baseProfile, ...keyed(key) });
    const withToken = await t.call('POST', '/register', { body: baseProfile, token: a.token, ...keyed(key) });
    expect([withToken.status, withToken.body, withToken.headers.get('idempotent-replayed')]).toEqual([201, first.body, 'true']);
    const withJunk = await t.call('POST', '/register', { body: baseProfile, token: 'junk', ...keyed(key) });
    expect(withJunk.body).toEqual(first.body);
  });

  it('keeps each user\'s keys apart: the same key from two users is two requests', async () => {
    const a = await t.register();
    const b = await t.register();
    const c = await t.register();
    const key = freshKey();
    expect((await t.call('POST', `/like/${a.id}/${c.id}`, { token: a.token, ...keyed(key) })).status).toBe(201);
    const fromB = await t.call('POST', `/like/${b.id}/${c.id}`, { token: b.token, ...keyed(key) });
    expect(fromB.status).toBe(201);
    expect(fromB.headers.get('idempotent-replayed')).toBeNull();
    const rows = await t.db.query('select swiper_id from swipes where swipee_id = $1 order by swiper_id', [c.id]);
    expect(rows.rows.map((r) => r.swiper_id)).toEqual([a.id, b.id].sort((x, y) => x - y));
  });

  it('checks the token first: a bad token is 401 as before, and keeps nothing', async () => {
    const a = await t.register();
    const b = await t.register();
    const key = freshKey();
    expect((await t.call('POST', `/like/${a.id}/${b.id}`, { token: a.token, ...keyed(key) })).status).toBe(201);
    const bad = await t.call('POST', `/like/${a.id}/${b.id}`, { token: 'not-a-token', ...keyed(key) });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('UNAUTHORIZED');
    // Even with a key that an unauthenticated request (a /register) holds.
    const globalKey = freshKey();
    expect((await t.call('POST', '/register', { body: baseProfile, ...keyed(globalKey) })).status).toBe(201);
    const badOnUsed = await t.call('POST', `/like/${a.id}/${b.id}`, { token: 'not-a-token', ...keyed(globalKey) });
    expect([badOnUsed.status, badOnUsed.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
    const none = await t.call('POST', `/like/${a.id}/${b.id}`, keyed(freshKey()));
    expect(none.status).toBe(401);
    const kept = await t.db.query('select count(*)::int as n from idempotency_keys where status = 401');
    expect(kept.rows[0].n).toBe(0);
  });

  it('covers the operator\'s /admin/rebuild', async () => {
    const key = freshKey();
    const auth = { authorization: `Bearer ${t.config.ADMIN_TOKEN}` };
    const first = await t.call('POST', '/admin/rebuild', keyed(key, auth));
    expect(first.status).toBe(202);
    const again = await t.call('POST', '/admin/rebuild', keyed(key, auth));
    expect([again.status, again.body, again.headers.get('idempotent-replayed')]).toEqual([202, first.body, 'true']);
  });

  it('is in the API reference: one reusable header parameter on every POST', async () => {
    const doc = await t.call('GET', '/openapi.json');
    expect(doc.body.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', schema: { maxLength: 255 } });
    const posts = Object.entries(doc.body.paths as Record<string, any>).filter(([, item]) => item.post);
    expect(posts.map(([path]) => path)).toEqual(expect.arrayContaining(['/register', '/like/{user_id}/{liked_user_id}', '/unlike/{user_id}/{liked_user_id}', '/admin/rebuild']));
    for (const [, item] of posts) {
      expect(item.post.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
      expect(item.post.responses).toHaveProperty('422');
    }
  });

  it('keeps final answers only: 2xx and 4xx, not 5xx or answers that invite a retry', () => {
    expect([200, 201, 202, 204, 400, 403, 404, 413, 422].every(keptAnswer)).toBe(true);
    expect([401, 408, 409, 425, 429, 500, 502, 503, 504].some(keptAnswer)).toBe(false);
  });
});

describe('Idempotency-Key expiry', () => {
  let short: TestApi;
  beforeAll(async () => {
    short = await createTestApi({ IDEMPOTENCY_TTL_S: '1' });
  });
  afterAll(() => short.close());

  it('forgets a key after IDEMPOTENCY_TTL_S: the request then runs again', async () => {
    const key = freshKey();
    const body = { ...baseProfile, name: 'Expiring' };
    const first = await short.call('POST', '/register', { body, ...keyed(key) });
    const within = await short.call('POST', '/register', { body, ...keyed(key) });
    expect(within.body).toEqual(first.body);
    await new Promise((r) => setTimeout(r, 1_300));
    const after = await short.call('POST', '/register', { body, ...keyed(key) });
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(after.body.user.id).not.toBe(first.body.user.id);
    // The rerun's answer is the key's record now: another body is refused again.
    const reused = await short.call('POST', '/register', { body: { ...body, name: 'Other' }, ...keyed(key) });
    expect(reused.status).toBe(422);
  });
});
