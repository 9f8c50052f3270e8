import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, baseProfile, createTestApi } from '../../test/support/api.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
};

describe('POST /register', () => {
  it('creates a profile and answers it with a working token', async () => {
    const res = await t.call('POST', '/register', {
      body: { ...baseProfile, name: '  Sam  ', gender: 'woman', interested_in: ['man', 'woman', 'man'], bio: 'hi', interests: [' Hiking', 'JAZZ', 'hiking'] },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(Number),
      name: 'Sam',
      age: 30,
      height: 175,
      gender: 'woman',
      interested_in: ['woman', 'man'],
      preferred_age_min: 18,
      preferred_age_max: 120,
      preferred_height_min: 100,
      preferred_height_max: 250,
      bio: 'hi',
      interests: ['hiking', 'jazz'],
    });
    const me = await t.call('GET', `/users/${res.body.user.id}`, { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(res.body.user);
  });

  it('treats gender and interested_in as optional', async () => {
    const { user } = await t.register();
    expect(user.gender).toBeNull();
    expect(user.interested_in).toBeNull();
    expect(user.bio).toBeNull();
  });

  it.each([
    ['missing name', { name: undefined }, 'name'],
    ['blank name', { name: '   ' }, 'name'],
    ['long name', { name: 'x'.repeat(101) }, 'name'],
    ['age as a string', { age: '30' }, 'age'],
    ['fractional age', { age: 30.5 }, 'age'],
    ['age under 18', { age: 17 }, 'age'],
    ['age over 120', { age: 121 }, 'age'],
    ['height under 100', { height: 99 }, 'height'],
    ['height over 250', { height: 251 }, 'height'],
    ['unknown gender', { gender: 'robot' }, 'gender'],
    ['interested_in not a list', { interested_in: 'man' }, 'interested_in'],
    ['empty interested_in', { interested_in: [] }, 'interested_in'],
    ['unknown gender of interest', { interested_in: ['man', 'cat'] }, 'interested_in.1'],
    ['age range upside down', { preferred_age_min: 40, preferred_age_max: 30 }, 'preferred_age_min'],
    ['height range upside down', { preferred_height_min: 200, preferred_height_max: 150 }, 'preferred_height_min'],
    ['preferred age out of range', { preferred_age_max: 121 }, 'preferred_age_max'],
    ['missing preferred height', { preferred_height_max: undefined }, 'preferred_height_max'],
    ['long bio', { bio: 'b'.repeat(501) }, 'bio'],
    // Postgres refuses NUL in text; a lone surrogate has no UTF-8 form.
    ['NUL in the name', { name: 'Al\u0000ex' }, 'name'],
    ['NUL in the bio', { bio: 'hi\u0000' }, 'bio'],
    ['a lone surrogate in the bio', { bio: 'hi \uD83D' }, 'bio'],
    ['NUL in a field the route does not know', { nickname: '\u0000' }, 'nickname'],
  ])('rejects %s with a 400 naming the field', async (_, patch, field) => {
    const before = await t.db.query('select count(*)::int as n from users');
    const res = await t.call('POST', '/register', { body: { ...baseProfile, ...patch } });
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    const after = await t.db.query('select count(*)::int as n from users');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it.each([
    ['malformed JSON', '{"name": "x",', 'MALFORMED_JSON'],
    ['a JSON array', '[1,2]', 'VALIDATION_ERROR'],
    ['JSON null', 'null', 'VALIDATION_ERROR'],
  ])('answers %s with a 400', async (_, raw, code) => {
    const res = await t.call('POST', '/register', { raw, headers: { 'content-type': 'application/json' } });
    expectError(res, 400, code);
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const res = await t.call('POST', '/register', { body: { ...baseProfile, bio: 'x'.repeat(70 * 1024) } });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a body that is not JSON with a 4xx', async () => {
    const res = await t.call('POST', '/register', { raw: 'name=x', headers: { 'content-type': 'text/plain' } });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('GET /users/:user_id', () => {
  it('needs a token, refuses other users and bad tokens', async () => {
    const a = await t.register();
    const b = await t.register();
    expectError(await t.call('GET', `/users/${a.id}`), 401, 'UNAUTHORIZED');
    expectError(await t.call('GET', `/users/${a.id}`, { token: 'not.a.jwt' }), 401, 'UNAUTHORIZED');
    expectError(await t.call('GET', `/users/${a.id}`, { token: b.token }), 403, 'FORBIDDEN');
    expectError(await t.call('GET', `/users/${a.id}`, { token: t.deps.config.ADMIN_TOKEN }), 401, 'UNAUTHORIZED');
  });

  it('refuses a token signed with another secret or expired', async () => {
    const { sign } = await import('hono/jwt');
    const a = await t.register();
    const now = Math.floor(Date.now() / 1000);
    const forged = await sign({ sub: String(a.id), exp: now + 60 }, 'another-secret-0123456789', 'HS256');
    const expired = await sign({ sub: String(a.id), exp: now - 10 }, t.deps.config.JWT_SECRET, 'HS256');
    expectError(await t.call('GET', `/users/${a.id}`, { token: forged }), 401, 'UNAUTHORIZED');
    expectError(await t.call('GET', `/users/${a.id}`, { token: expired }), 401, 'UNAUTHORIZED');
  });

  it('refuses a token once it expires, even one accepted before', async () => {
    const { sign } = await import('hono/jwt');
    const a = await t.register();
    // At least a second away: `exp` is in whole seconds, and floor(now) + 1 could be a millisecond off.
    const exp = Math.ceil((Date.now() + 1000) / 1000);
    const token = await sign({ sub: String(a.id), exp }, t.deps.config.JWT_SECRET, 'HS256');
    expect((await t.call('GET', `/users/${a.id}`, { token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    expectError(await t.call('GET', `/users/${a.id}`, { token }), 401, 'UNAUTHORIZED');
  });

  it('answers 401 to a well-signed token of a user that does not exist, and 400 for a bad id', async () => {
    // Account deletion relies on this: the tokens of a user who is gone stop working.
    expectError(await t.call('GET', '/users/999999', { token: await t.tokenFor(999999) }), 401, 'UNAUTHORIZED');
    const a = await t.register();
    expectError(await t.call('GET', '/users/abc', { token: a.token }), 400, 'VALIDATION_ERROR');
    expectError(await t.call('GET', '/users/99999999999', { token: a.token }), 400, 'VALIDATION_ERROR');
  });
});

describe('PUT /update_preferences/:user_id', () => {
  it('changes any subset and keeps the rest', async () => {
    const a = await t.register({ preferred_age_min: 25, preferred_age_max: 35 });
    const res = await t.call('PUT', `/update_preferences/${a.id}`, {
      token: a.token,
      body: { preferred_age_max: 40, interested_in: ['nonbinary'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ preferred_age_min: 25, preferred_age_max: 40, interested_in: ['nonbinary'] });
    const reset = await t.call('PUT', `/update_preferences/${a.id}`, { token: a.token, body: { interested_in: null } });
    expect(reset.body.user.interested_in).toBeNull();
  });

  it('refuses a change that would leave min above max, and writes nothing', async () => {
    const a = await t.register({ preferred_age_min: 25, preferred_age_max: 35 });
    const res = await t.call('PUT', `/update_preferences/${a.id}`, { token: a.token, body: { preferred_age_min: 36 } });
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error.details[0].field).toBe('preferred_age_min');
    const me = await t.call('GET', `/users/${a.id}`, { token: a.token });
    expect(me.body.user.preferred_age_min).toBe(25);
  });

  it('refuses an empty body, fields that are not preferences, and other users', async () => {
    const a = await t.register();
    const b = await t.register();
    expectError(await t.call('PUT', `/update_preferences/${a.id}`, { token: a.token, body: {} }), 400, 'VALIDATION_ERROR');
    expectError(await t.call('PUT', `/update_preferences/${a.id}`, { token: a.token, body: { age: 50 } }), 400, 'VALIDATION_ERROR');
    expectError(
      await t.call('PUT', `/update_preferences/${a.id}`, { token: a.token, body: { preferred_height_min: 'tall' } }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await t.call('PUT', `/update_preferences/${a.id}`, { token: b.token, body: { preferred_age_min: 20 } }), 403, 'FORBIDDEN');
    expectError(await t.call('PUT', `/update_preferences/${a.id}`, { body: { preferred_age_min: 20 } }), 401, 'UNAUTHORIZED');
  });
});

describe('operations', () => {
  it('serves probes, metrics, the OpenAPI document and the docs page', async () => {
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    const ready = await t.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('http_request_duration_seconds');
    const doc = await t.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of ['/register', '/users/{user_id}', '/update_preferences/{user_id}', '/potential_matches/{user_id}',
      '/like/{user_id}/{liked_user_id}', '/unlike/{user_id}/{liked_user_id}', '/matches/{user_id}', '/admin/rebuild',
      '/admin/rebuild/{job_id}', '/admin/queues', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      expect(doc.body.paths).toHaveProperty([path]);
    }
    const docs = await t.call('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger-ui-bundle.js');
    expect((await t.call('GET', '/docs/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('is not ready while Redis does not answer', async () => {
    const { createApp } = await import('../app.js');
    const { createRedis } = await import('../../shared/redis.js');
    const deadRedis = createRedis('redis://127.0.0.1:1', 'client', { lazyConnect: true, retryStrategy: () => null });
    deadRedis.on('error', () => {});
    try {
      const app = createApp({ ...t.deps, redis: deadRedis });
      const res = await app.request('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'UNAVAILABLE', details: expect.arrayContaining([{ field: 'redis', message: 'down' }]) } });
    } finally {
      deadRedis.disconnect();
    }
  });

  it('refuses NUL in the query of any route with a 400 naming it', async () => {
    const { id, token } = await t.register();
    const res = await t.call('GET', `/potential_matches/${id}?limit=5&note=a%00b`, { token });
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error.details).toEqual([{ field: 'query.note.0', message: 'must not contain NUL characters' }]);
  });

  it('answers unknown routes with the error body', async () => {
    expectError(await t.call('GET', '/nope'), 404, 'NOT_FOUND');
  });
});

describe('interests', () => {
  it('are edited through update_preferences, shown on cards, and validated', async () => {
    const me = await t.register({ interests: ['films'] });
    const other = await t.register();
    const put = (body: unknown) => t.call('PUT', `/update_preferences/${me.id}`, { token: me.token, body });
    const changed = await put({ interests: ['Chess ', 'chess', 'Go'] });
    expect(changed.status).toBe(200);
    expect(changed.body.user.interests).toEqual(['chess', 'go']);
    expect((await put({ preferred_age_min: 20 })).body.user.interests).toEqual(['chess', 'go']);
    const feed = await t.call('GET', `/potential_matches/${other.id}`, { token: other.token });
    expect(feed.body.potential_matches.find((c: any) => c.id === me.id).interests).toEqual(['chess', 'go']);
    for (const bad of [Array.from({ length: 11 }, (_, i) => `t${i}`), [''], ['x'.repeat(31)], 'chess', [1]]) {
      const res = await put({ interests: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await put({ interests: null })).body.user.interests).toEqual([]);
    expect((await t.call('GET', `/users/${me.id}`, { token: me.token })).body.user.interests).toEqual([]);
  });
});
