// The contract: "the server never closes a connection under a request it has accepted". Drives a real
// listening server with Node's own fetch (undici, keep-alive) through the integration flows, a battery
// of bad inputs and Idempotency-Key retries included, and counts the requests whose connection closed
// under them.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../shared/logger.js';
import { baseProfile, type TestApi, createTestApi } from '../test/support/api.js';
import { createApp } from './app.js';
import { type Listening, listen } from './server.js';

let t: TestApi;
let srv: Listening;
let base: string;
beforeAll(async () => {
  t = await createTestApi({ RATE_LIMITS: 'off' });
  srv = await listen(createApp(t.deps), 0, t.config, createLogger(process.env.KEEPALIVE_LOG ?? 'silent', 'keep-alive-test'));
  base = `http://127.0.0.1:${srv.port}`;
});
afterAll(async () => {
  await srv?.close();
  await t?.close();
});

interface Outcome {
  sent: number;
  /** Retries with an Idempotency-Key whose answer was not the first one's. */
  badReplays: string[];
  failed: { what: string; error: string }[];
  statuses: Record<string, number>;
}

async function send(o: Outcome, what: string, method: string, path: string, init: { token?: string; body?: string | ReadableStream; type?: string | null; key?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.key) headers['idempotency-key'] = init.key;
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.type !== null && init.body !== undefined) headers['content-type'] = init.type ?? 'application/json';
  o.sent++;
  try {
    const res = await fetch(`${base}${path}`, { method, headers, body: init.body as RequestInit["body"], duplex: 'half' } as RequestInit);
    const text = await res.text();
    const key = `${what} ${res.status}`;
    o.statuses[key] = (o.statuses[key] ?? 0) + 1;
    return { status: res.status, body: text ? JSON.parse(text) : undefined, replayed: res.headers.get('idempotent-replayed') === 'true' };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    o.failed.push({ what, error: `${cause?.code ?? ''} ${cause?.message ?? String(err)}` });
    return { status: 0, body: undefined, replayed: false };
  }
}

const chunked = (text: string) => new Blob([text]).stream();
const profile = (i: number) => JSON.stringify({ ...baseProfile, name: `Keep ${i}`, age: 20 + (i % 40) });

/** Bodies a client gets wrong: each must get a 4xx and leave the connection usable. */
const battery: [string, () => { body?: string | ReadableStream; type?: string | null }][] = [
  ['oversized', () => ({ body: JSON.stringify({ ...baseProfile, bio: 'x'.repeat(70 * 1024) }) })],
  ['oversized chunked', () => ({ body: chunked(JSON.stringify({ ...baseProfile, bio: 'x'.repeat(100 * 1024) })) })],
  ['oversized 1 MiB', () => ({ body: 'x'.repeat(1024 * 1024) })],
  ['non-JSON type', () => ({ body: profile(0), type: 'text/plain' })],
  ['no type', () => ({ body: profile(0), type: null })],
  ['form', () => ({ body: 'name=a&age=30', type: 'application/x-www-form-urlencoded' })],
  ['malformed', () => ({ body: '{"name": "A", "age": ' })],
  ['malformed chunked', () => ({ body: chunked('{"name": ') })],
  ['wrong types', () => ({ body: JSON.stringify({ ...baseProfile, age: 'thirty', height: null }) })],
  ['missing fields', () => ({ body: '{}' })],
  ['empty', () => ({ body: '' })],
  ['NUL', () => ({ body: JSON.stringify({ ...baseProfile, name: 'a\u0000b' }) })],
  ['array', () => ({ body: '[1,2,3]' })],
  ['big non-JSON', () => ({ body: 'y'.repeat(40 * 1024), type: 'text/plain' })],
];

async function flows(o: Outcome, worker: number, rounds: number) {
  for (let r = 0; r < rounds; r++) {
    // Registrations, good ones among the bad.
    const users: { id: number; token: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await send(o, 'register', 'POST', '/register', { body: profile(worker * 1000 + r * 10 + i) });
      if (res.status === 201) users.push({ id: res.body.user.id, token: res.body.token });
      const [what, bad] = battery[(r * 4 + i) % battery.length]!;
      await send(o, `bad ${what}`, 'POST', '/register', bad());
    }
    // A registration retried with its Idempotency-Key gets the first answer, not a second account.
    const key = `reg-${worker}-${r}`;
    const reg = await send(o, 'register keyed', 'POST', '/register', { body: profile(worker * 1000 + r * 10 + 9), key });
    const retry = await send(o, 'register retried', 'POST', '/register', { body: profile(worker * 1000 + r * 10 + 9), key });
    if (reg.status !== 201 || !retry.replayed || JSON.stringify(retry.body) !== JSON.stringify(reg.body)) o.badReplays.push(key);
    if (users.length < 4) continue;
    const [a, b, c, d] = users as [typeof users[0], typeof users[0], typeof users[0], typeof users[0]];
    // Feed reads, likes and passes, and a like carrying a body nobody reads.
    for (const u of users) await send(o, 'feed', 'GET', `/potential_matches/${u.id}?limit=10`, { token: u.token });
    const liked = await send(o, 'like keyed', 'POST', `/like/${a.id}/${b.id}`, { token: a.token, key: `like-${worker}-${r}` });
    const again = await send(o, 'like retried', 'POST', `/like/${a.id}/${b.id}`, { token: a.token, key: `like-${worker}-${r}` });
    if (liked.status !== 201 || again.status !== 201 || !again.replayed) o.badReplays.push(`like-${worker}-${r}`);
    await send(o, 'pass', 'POST', `/unlike/${a.id}/${c.id}`, { token: a.token });
    await send(o, 'like with body', 'POST', `/like/${c.id}/${d.id}`, { token: c.token, body: JSON.stringify({ note: 'z'.repeat(30 * 1024) }) });
    await send(o, 'matches', 'GET', `/matches/${a.id}`, { token: a.token });
    await send(o, 'bad like', 'POST', `/like/${a.id}/${a.id}`, { token: a.token });
    await send(o, 'bad token', 'POST', `/like/${a.id}/${d.id}`, { token: 'nope' });
    // Racing likes: both sides at once, twice over.
    await Promise.all([
      send(o, 'race like', 'POST', `/like/${b.id}/${d.id}`, { token: b.token }),
      send(o, 'race like', 'POST', `/like/${d.id}/${b.id}`, { token: d.token }),
      send(o, 'race like', 'POST', `/like/${c.id}/${b.id}`, { token: c.token }),
      send(o, 'race like', 'POST', `/like/${b.id}/${c.id}`, { token: b.token }),
    ]);
    await send(o, 'feed after', 'GET', `/potential_matches/${d.id}?limit=5`, { token: d.token });
  }
}

/** Writes `raw` on one connection and collects what comes back until the server closes it or `ms` pass. */
function exchange(raw: Buffer[], ms: number): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(srv.port, '127.0.0.1');
    let text = '';
    let closedByServer = false;
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('end', () => (closedByServer = true));
    socket.on('error', () => (closedByServer = true));
    for (const part of raw) socket.write(part);
    setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer });
    }, ms);
  });
}

describe('the HTTP server', () => {
  it('keeps idle connections longer than a proxy does (60 s), and its headers timeout longer still', () => {
    expect(srv.server.keepAliveTimeout).toBe(t.config.HTTP_KEEP_ALIVE_TIMEOUT_MS);
    expect(srv.server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(srv.server.headersTimeout).toBeGreaterThan(srv.server.keepAliveTimeout);
    expect(srv.server.requestTimeout).toBeGreaterThanOrEqual(srv.server.headersTimeout);
  });

  it('answers the request after an oversized body on the same connection (the 413 leaves the body unread)', async () => {
    const big = Buffer.alloc(1024 * 1024, 'x');
    const { text, closedByServer } = await exchange(
      [
        Buffer.from(`POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`),
        big,
        Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
      ],
      1_500,
    );
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/\r\n\r\n\{"error":\{"code":"PAYLOAD_TOO_LARGE"[\s\S]*HTTP\/1\.1 200 OK[\s\S]*"status":"ok"/);
    expect(closedByServer).toBe(false);
  });

  it('says Connection: close on a 413 for a body too big to discard, and then closes', async () => {
    const said = srv.connections.reasons['the answer said Connection: close'] ?? 0;
    const { text, closedByServer } = await exchange([Buffer.from(`POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{`)], 1_000);
    expect(text).toMatch(/^HTTP\/1\.1 413 [\s\S]*\r\nConnection: close\r\n/i);
    expect(closedByServer).toBe(true);
    await vi.waitFor(() => expect(srv.connections.reasons['the answer said Connection: close']).toBe(said + 1));
  });

  it('counts a request whose connection closed before its answer', async () => {
    const cut = srv.connections.cutOff;
    // The body never arrives in full: the route is still reading it when the client goes.
    await exchange([Buffer.from('POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name"')], 300);
    await vi.waitFor(() => expect(srv.connections.cutOff).toBe(cut + 1));
  });

  it('answers /healthz as the route does, without a promise (before hono composes its middleware)', async () => {
    const { text } = await exchange([Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')], 300);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nContent-Type: application\/json\r\n/i);
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe('{"status":"ok"}');
    const app = createApp(t.deps);
    const res = app.fetch(new Request('http://x/healthz'), { incoming: { url: '/healthz', method: 'GET' } });
    expect(res).toBeInstanceOf(Response);
    expect(await (res as Response).json()).toEqual({ status: 'ok' });
    // Anything else goes to hono: a query, another method, an in-process request.
    for (const [url, method] of [['/healthz?x=1', 'GET'], ['/healthz', 'HEAD']] as const) {
      expect(app.fetch(new Request(`http://x${url}`, { method }), { incoming: { url, method } })).toBeInstanceOf(Promise);
    }
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe('keep-alive connections under the integration flows', () => {
  it('closes no connection under a request it accepted, across 20,000 requests with bad inputs among them', async () => {
    const o: Outcome = { sent: 0, badReplays: [], failed: [], statuses: {} };
    const cutBefore = srv.connections.cutOff; // the tests above cut one off on purpose
    const workers = 8;
    const rounds = Number(process.env.KEEPALIVE_ROUNDS ?? 105); // about 26 requests a round: 8 x 105 x 26 > 21,000
    await Promise.all(Array.from({ length: workers }, (_, w) => flows(o, w, rounds)));
    const summary = { sent: o.sent, clientFailures: o.failed.length, serverCutOff: srv.connections.cutOff - cutBefore, connections: srv.connections };
    console.log('keep-alive run', JSON.stringify(summary), o.failed.slice(0, 5));
    expect(o.sent).toBeGreaterThanOrEqual(20_000);
    // Every bad input got a 4xx, never a 5xx.
    expect(Object.keys(o.statuses).filter((k) => / 5\d\d$/.test(k))).toEqual([]);
    expect(o.failed).toEqual([]);
    expect(o.badReplays).toEqual([]);
    expect(srv.connections.cutOff - cutBefore).toBe(0);
  }, 900_000);
});
