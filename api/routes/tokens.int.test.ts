import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../shared/redis.js';
import { MAX_AGE_MS, TokenVersions, UNLISTENED_MS } from '../../shared/token-versions.js';
import { verifyUserToken } from '../../shared/tokens.js';
import { type TestApi, createTestApi } from '../../test/support/api.js';
import { createApp } from '../app.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

const me = (u: { id: number }, token: string) => t.call('GET', `/users/${u.id}`, { token });
const operator = () => ({ authorization: `Bearer ${t.config.ADMIN_TOKEN}` });

describe('user tokens', () => {
  it('refuses a well-signed token without exp', async () => {
    const a = await t.register();
    const forever = await sign({ sub: String(a.id), tv: 0 }, t.config.JWT_SECRET, 'HS256');
    expect(await verifyUserToken(t.config.JWT_SECRET, forever)).toBeUndefined();
    const res = await me(a, forever);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect((await me(a, a.token)).status).toBe(200);
  });

  it('issues tokens that expire after TOKEN_TTL_S', async () => {
    const a = await t.register();
    const claims = await verifyUserToken(t.config.JWT_SECRET, a.token);
    expect(claims!.exp - Date.now() / 1000).toBeGreaterThan(t.config.TOKEN_TTL_S - 60);
    expect(claims!.exp - Date.now() / 1000).toBeLessThanOrEqual(t.config.TOKEN_TTL_S);
  });

  it('POST /token/refresh: a new token for the same user with a fresh expiry', async () => {
    const a = await t.register();
    const now = Math.floor(Date.now() / 1000);
    const old = await sign({ sub: String(a.id), tv: 0, exp: now + 60 }, t.config.JWT_SECRET, 'HS256');
    const res = await t.call('POST', '/token/refresh', { token: old });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['token']);
    const fresh = await verifyUserToken(t.config.JWT_SECRET, res.body.token);
    expect(fresh).toMatchObject({ userId: a.id, version: 0 });
    expect(fresh!.exp).toBeGreaterThanOrEqual(now + t.config.TOKEN_TTL_S);
    expect((await me(a, res.body.token)).status).toBe(200);
    expect((await t.call('POST', '/token/refresh')).status).toBe(401);
    expect((await t.call('POST', '/token/refresh', { token: 'not-a-token' })).status).toBe(401);
  });

  it('signing out everywhere ends every token of that user, refreshed ones included, and no one else\'s', async () => {
    const a = await t.register();
    const b = await t.register();
    const second = (await t.call('POST', '/token/refresh', { token: a.token })).body.token;
    expect((await t.call('POST', `/users/${b.id}/sign_out_everywhere`, { token: a.token })).status).toBe(403);
    const res = await t.call('POST', `/users/${a.id}/sign_out_everywhere`, { token: a.token });
    expect(res.status).toBe(204);
    for (const token of [a.token, second]) {
      expect((await me(a, token)).status).toBe(401);
      expect((await t.call('POST', '/token/refresh', { token })).status).toBe(401);
    }
    expect((await me(b, b.token)).status).toBe(200);
    // A token at the new version works (what signing in again would issue).
    const next = await sign({ sub: String(a.id), tv: 1, exp: Math.floor(Date.now() / 1000) + 60 }, t.config.JWT_SECRET, 'HS256');
    expect((await me(a, next)).status).toBe(200);
  });

  it('an operator revokes a user\'s tokens (operator auth; unknown user 404)', async () => {
    const a = await t.register();
    expect((await me(a, a.token)).status).toBe(200);
    expect((await t.call('POST', `/admin/users/${a.id}/revoke_tokens`, { token: a.token })).status).toBe(401);
    const before = (await t.db.query('select version, change_xid::text as x from users where id = $1', [a.id])).rows[0];
    const res = await t.call('POST', `/admin/users/${a.id}/revoke_tokens`, { headers: operator() });
    expect(res.status).toBe(200);
    // Not a profile change: change capture and cached cards are left alone.
    expect((await t.db.query('select version, change_xid::text as x from users where id = $1', [a.id])).rows[0]).toEqual(before);
    expect(res.body).toEqual({ user_id: a.id, token_version: 1 });
    expect((await me(a, a.token)).status).toBe(401);
    expect((await t.call('POST', '/admin/users/999999/revoke_tokens', { headers: operator() })).status).toBe(404);
  });

  it('a deleted user\'s tokens get 401', async () => {
    const a = await t.register();
    expect((await me(a, a.token)).status).toBe(200);
    await t.db.query('delete from users where id = $1', [a.id]);
    await t.deps.tokenVersions.changed(a.id);
    expect((await t.call('POST', '/token/refresh', { token: a.token })).status).toBe(401);
  });

  it('a revocation in one API process reaches another at once (pub/sub)', async () => {
    // A second process: its own app, its own token-version cache, the same Postgres and Redis.
    const other = new TokenVersions(t.db, t.deps.redis, t.config.REDIS_PREFIX);
    try {
      await expect.poll(() => other.subscribed).toBe(true);
      const app = createApp({ ...t.deps, tokenVersions: other });
      const a = await t.register();
      const get = async () => (await app.request(`/users/${a.id}`, { headers: { authorization: `Bearer ${a.token}` } })).status;
      expect(await get()).toBe(200); // now cached over there
      await t.call('POST', `/users/${a.id}/sign_out_everywhere`, { token: a.token });
      await expect.poll(get, { timeout: UNLISTENED_MS / 2, interval: 20 }).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('the token-version cache', () => {
  it('trusts a copy for at most UNLISTENED_MS while Redis is away, and MAX_AGE_MS in any case', async () => {
    const a = await t.register();
    let now = 1_000_000;
    const dead = createRedis('redis://127.0.0.1:1', 'client', { lazyConnect: true, retryStrategy: () => null });
    dead.on('error', () => {});
    const away = new TokenVersions(t.db, dead, t.config.REDIS_PREFIX, () => now);
    const live = new TokenVersions(t.db, t.deps.redis, t.config.REDIS_PREFIX, () => now);
    try {
      await expect.poll(() => live.subscribed).toBe(true);
      expect(away.subscribed).toBe(false);
      expect(await away.current(a.id)).toBe(0);
      expect(await live.current(a.id)).toBe(0);
      // Changed behind both caches' backs (no message): each serves its copy within its bound only.
      await t.db.query('update users set token_version = 5 where id = $1', [a.id]);
      now += UNLISTENED_MS;
      expect(await away.current(a.id)).toBe(0);
      now += 1;
      expect(await away.current(a.id)).toBe(5);
      expect(await live.current(a.id)).toBe(0);
      now += MAX_AGE_MS;
      expect(await live.current(a.id)).toBe(5);
      expect(await away.current(999_999)).toBeUndefined();
    } finally {
      await away.close();
      await live.close();
      dead.disconnect();
    }
  });

  it('does not keep a version read before a change that committed while the read was under way', async () => {
    const a = await t.register();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    // Postgres answers the read at once, but the answer reaches the cache only after the change.
    const slow = { query: async (...args: Parameters<typeof t.db.query>) => { const r = await t.db.query(...args); await gate; return r; } };
    const versions = new TokenVersions(slow as unknown as typeof t.db, t.deps.redis, t.config.REDIS_PREFIX);
    try {
      await expect.poll(() => versions.subscribed).toBe(true);
      const during = versions.current(a.id);
      await new Promise((r) => setTimeout(r, 100));
      expect(await versions.bump(t.db, a.id)).toBe(1);
      open();
      expect(await during).toBe(0); // that request began before the change
      expect(await versions.current(a.id)).toBe(1);
    } finally {
      await versions.close();
    }
  });

  it('keeps answering from its last copy while Postgres is away; without one, 503', async () => {
    const a = await t.register();
    let now = 0;
    const { createPool } = await import('../../shared/db.js');
    const deadDb = createPool('postgres://nobody@127.0.0.1:1/none', 1);
    const versions = new TokenVersions(t.db, t.deps.redis, t.config.REDIS_PREFIX, () => now);
    const cut = new TokenVersions(deadDb, t.deps.redis, t.config.REDIS_PREFIX, () => now);
    try {
      // (Subscribing drops the cache, since messages may have been missed before: wait for it first.)
      await expect.poll(() => versions.subscribed).toBe(true);
      expect(await versions.current(a.id)).toBe(0);
      // Same cache contents, then Postgres goes: swap the pool under it.
      (versions as unknown as { db: unknown }).db = deadDb;
      now += MAX_AGE_MS + 1;
      expect(await versions.current(a.id)).toBe(0);
      await expect(cut.current(a.id)).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    } finally {
      await versions.close();
      await cut.close();
      await deadDb.end();
    }
  });
});
