// The limits as an attacker meets them: through app.request, on a real Redis, with rows counted in Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimits } from '../shared/rate-limits.js';
import { createRedis } from '../shared/redis.js';
import { type TestApi, createTestApi } from '../test/support/api.js';

const count = async (t: TestApi, sql: string, params: unknown[] = []) => (await t.db.query(sql, params)).rows[0].n as number;

/** `n` users straight into Postgres (registrations are limited too), returning their ids. */
async function insertUsers(t: TestApi, n: number): Promise<number[]> {
  const res = await t.db.query(
    `insert into users (name, age, height, preferred_age_min, preferred_age_max, preferred_height_min, preferred_height_max)
     select 'Target', 30, 175, 18, 120, 100, 250 from generate_series(1, $1) returning id`,
    [n],
  );
  return res.rows.map((r) => r.id);
}

function expectLimited(res: { status: number; body: any; headers: Headers }, maxSeconds: number) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('RATE_LIMITED');
  const retry = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(maxSeconds);
}

describe('rate limits at their defaults', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ RATE_LIMITS: 'on' });
  });
  afterAll(() => t.close());

  it('300 registrations from one address: the first 20 (per hour) are accepted, the rest 429 and not written', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<TestApi['call']>> | undefined;
    for (let i = 0; i < 300; i++) {
      const res = await t.call('POST', '/register', { body: { name: `Bot ${i}`, age: 30, height: 175, preferred_age_min: 18, preferred_age_max: 120, preferred_height_min: 100, preferred_height_max: 250 }, remoteAddress: '203.0.113.7' });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(t.config.RATE_LIMIT_REGISTRATIONS_PER_HOUR);
    expect(statuses.filter((s) => s === 429)).toHaveLength(300 - t.config.RATE_LIMIT_REGISTRATIONS_PER_HOUR);
    expectLimited(limited!, 3600);
    expect(await count(t, `select count(*)::int as n from users where name like 'Bot %'`)).toBe(t.config.RATE_LIMIT_REGISTRATIONS_PER_HOUR);
    // Another address is not affected; the same address through another IPv4 spelling is.
    expect((await t.register({}, { remoteAddress: '203.0.113.8' })).id).toBeGreaterThan(0);
    expect((await t.call('POST', '/register', { body: {}, remoteAddress: '::ffff:203.0.113.7' })).status).toBe(429);
  });

  it('counts an IPv6 /64 as one address, and ignores X-Forwarded-For unless TRUST_PROXY says so', async () => {
    for (let i = 0; i < t.config.RATE_LIMIT_REGISTRATIONS_PER_HOUR; i++) await t.register({}, { remoteAddress: `2001:db8:aa:bb::${i.toString(16)}` });
    expect((await t.call('POST', '/register', { body: {}, remoteAddress: '2001:db8:aa:bb:ffff::1' })).status).toBe(429);
    expect((await t.register({}, { remoteAddress: '2001:db8:aa:bc::1' })).id).toBeGreaterThan(0);
    // A client inventing its own X-Forwarded-For is still counted by its socket.
    const spoof = await t.call('POST', '/register', { body: {}, remoteAddress: '203.0.113.7', headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect(spoof.status).toBe(429);
  });

  it('2,000 swipes by one user in a burst: 60 (a minute\'s worth) are written, every other one is 429', async () => {
    const bot = await t.register({}, { remoteAddress: '192.0.2.1' });
    const targets = await insertUsers(t, 2000);
    const results = await Promise.all(
      targets.map((id, i) => t.call('POST', `/${i % 2 ? 'like' : 'unlike'}/${bot.id}/${id}`, { token: bot.token })),
    );
    const ok = results.filter((r) => r.status === 200 || r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(t.config.RATE_LIMIT_SWIPES_PER_MINUTE);
    expect(limited).toHaveLength(2000 - t.config.RATE_LIMIT_SWIPES_PER_MINUTE);
    for (const r of limited.slice(0, 50)) expectLimited(r, 60);
    expect(await count(t, 'select count(*)::int as n from swipes where swiper_id = $1', [bot.id])).toBe(t.config.RATE_LIMIT_SWIPES_PER_MINUTE);
    // Others swipe on, unaffected; the counters are keyed per user with the user as hash tag (Redis Cluster).
    const other = await t.register({}, { remoteAddress: '192.0.2.2' });
    expect((await t.call('POST', `/like/${other.id}/${targets[0]}`, { token: other.token })).status).toBe(201);
    expect(await t.deps.redis.exists(`${t.config.REDIS_PREFIX}:rl:swipe-minute:{user:${bot.id}}`)).toBe(1);
  });
});

describe('rate limits configured small', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({
      RATE_LIMITS: 'on',
      RATE_LIMIT_SWIPES_PER_MINUTE: '1000',
      RATE_LIMIT_SWIPES_PER_DAY: '40',
      RATE_LIMIT_LIKES_PER_DAY: '5',
      RATE_LIMIT_FEED_PER_MINUTE: '3',
      RATE_LIMIT_REGISTRATIONS_PER_HOUR: '1000',
      RATE_LIMIT_REGISTRATIONS_PER_DAY: '4',
      TRUST_PROXY: '1',
    });
  });
  afterAll(() => t.close());

  it('limits swipes per day and likes per day, whatever the minute allows', async () => {
    const u = await t.register({}, { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '198.51.100.10' } });
    const targets = await insertUsers(t, 50);
    const likes = [];
    for (const id of targets.slice(0, 6)) likes.push((await t.call('POST', `/like/${u.id}/${id}`, { token: u.token })).status);
    expect(likes).toEqual([201, 201, 201, 201, 201, 429]);
    expect(await count(t, `select count(*)::int as n from swipes where swiper_id = $1 and kind = 'like'`, [u.id])).toBe(5);
    // Passes still go, up to the daily swipe limit (6 counted so far, the refused like included).
    const passes = [];
    for (const id of targets.slice(6, 50)) passes.push(await t.call('POST', `/unlike/${u.id}/${id}`, { token: u.token }));
    expect(passes.filter((r) => r.status === 200)).toHaveLength(40 - 6);
    const refused = passes.find((r) => r.status === 429)!;
    expectLimited(refused, 24 * 3600);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3600);
    expect(await count(t, 'select count(*)::int as n from swipes where swiper_id = $1', [u.id])).toBe(5 + 34);
  });

  it('limits feed reads per user', async () => {
    const u = await t.register({}, { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '198.51.100.11' } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.call('GET', `/potential_matches/${u.id}`, { token: u.token })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('behind a trusted proxy, counts the address the proxy saw', async () => {
    const via = (client: string) => ({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': `1.1.1.1, ${client}` } });
    for (let i = 0; i < 4; i++) await t.register({}, via('198.51.100.20'));
    expect((await t.call('POST', '/register', { body: {}, ...via('198.51.100.20') })).status).toBe(429);
    expect((await t.register({}, via('198.51.100.21'))).id).toBeGreaterThan(0);
  });
});

describe('rate limits, other cases', () => {
  it('RATE_LIMITS=off turns them all off', async () => {
    const t = await createTestApi({ RATE_LIMITS: 'off', RATE_LIMIT_REGISTRATIONS_PER_HOUR: '1', RATE_LIMIT_REGISTRATIONS_PER_DAY: '1', RATE_LIMIT_FEED_PER_MINUTE: '1' });
    try {
      const a = await t.register({}, { remoteAddress: '203.0.113.9' });
      await t.register({}, { remoteAddress: '203.0.113.9' });
      for (let i = 0; i < 3; i++) expect((await t.call('GET', `/potential_matches/${a.id}`, { token: a.token })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('still limits, per process, while Redis is away (the in-memory insurance)', async () => {
    const t = await createTestApi({ RATE_LIMITS: 'on', RATE_LIMIT_SAFETY_PER_HOUR: '3' });
    const dead = createRedis('redis://127.0.0.1:1', 'client', { lazyConnect: true, retryStrategy: () => null });
    dead.on('error', () => {});
    try {
      const limits = createRateLimits(t.config, dead);
      const started = performance.now();
      for (let i = 0; i < 3; i++) await limits.consume('safety', 'user:1');
      await expect(limits.consume('safety', 'user:1')).rejects.toMatchObject({ code: 'RATE_LIMITED', headers: { 'Retry-After': expect.any(String) } });
      await limits.consume('safety', 'user:2');
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      dead.disconnect();
      await t.close();
    }
  });
});
