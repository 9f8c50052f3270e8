// The operator surface as a hostile page would drive it: the browser resends Basic credentials.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, createTestApi } from '../../test/support/api.js';
import { createApp } from '../app.js';

let t: TestApi;
let lines: any[];
let call: (method: string, path: string, headers?: Record<string, string>, body?: unknown) => Promise<{ status: number; body: any }>;

beforeAll(async () => {
  t = await createTestApi();
  lines = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = createApp({ ...t.deps, log: pino({ level: 'info' }, sink) });
  call = async (method, path, headers = {}, body) => {
    const init: RequestInit = { method, headers: { host: 'matchmaker.example', ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const socket = { remoteAddress: '198.51.100.77', remotePort: 5000, remoteFamily: 'IPv4' };
    const res = await app.request(`http://matchmaker.example${path}`, init, { incoming: { socket } });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed };
  };
});
afterAll(() => t.close());

const basic = () => ({ authorization: `Basic ${Buffer.from(`alice:${t.config.ADMIN_TOKEN}`).toString('base64')}` });
const jobs = async () => {
  const c = await t.deps.queues.rebuild.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
};

describe('operator writes from another origin', () => {
  it('refuses a dashboard POST with Origin: https://evil.example and Basic credentials, and adds nothing', async () => {
    const before = await jobs();
    const res = await call('POST', '/admin/queues/api/queues/rebuild/add', { ...basic(), origin: 'https://evil.example' }, { name: 'evil', data: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(await jobs()).toBe(before);
    // The same request from the dashboard's own page goes through.
    const own = await call('POST', '/admin/queues/api/queues/rebuild/add', { ...basic(), origin: 'http://matchmaker.example' }, { name: 'ours', data: {} });
    expect(own.status).toBe(200);
    expect(await jobs()).toBe(before + 1);
    await t.deps.queues.rebuild.obliterate({ force: true });
  });

  it('refuses a cross-site pause (Sec-Fetch-Site), a sibling subdomain, Origin: null, and a cross-site rebuild', async () => {
    const pause = '/admin/queues/api/queues/rebuild/pause';
    expect((await call('PUT', pause, { ...basic(), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call('PUT', pause, { ...basic(), 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await call('PUT', pause, { ...basic(), origin: 'https://admin.matchmaker.example' })).status).toBe(403);
    expect((await call('PUT', pause, { ...basic(), origin: 'null' })).status).toBe(403);
    expect(await t.deps.queues.rebuild.isPaused()).toBe(false);
    expect((await call('POST', '/admin/rebuild', { ...basic(), origin: 'https://evil.example' })).status).toBe(403);
    expect(await jobs()).toBe(0);
    // Reads stay open to a browser, wherever it navigated from; a script without browser headers may write.
    expect((await call('GET', '/admin/queues/api/queues', { ...basic(), 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await call('PUT', pause, { ...basic(), 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(await t.deps.queues.rebuild.isPaused()).toBe(true);
    await t.deps.queues.rebuild.resume();
  });

  it('logs every operator write with who, from where and what', async () => {
    lines.length = 0;
    const u = await t.register();
    const started = await call('POST', '/admin/rebuild', { authorization: `Bearer ${t.config.ADMIN_TOKEN}` });
    expect(started.status).toBe(202);
    await call('POST', `/admin/users/${u.id}/revoke_tokens`, basic());
    await call('PUT', '/admin/queues/api/queues/rebuild/pause', { ...basic(), origin: 'https://evil.example' });
    await call('POST', '/admin/rebuild', { authorization: 'Bearer wrong-token-0123456789' });
    const actions = lines.filter((l) => l.msg.startsWith('operator'));
    expect(actions).toEqual([
      expect.objectContaining({ msg: 'operator action', operator: 'bearer', address: '198.51.100.77', method: 'POST', path: '/admin/rebuild', status: 202, action: 'rebuild', job_id: started.body.job_id }),
      expect.objectContaining({ msg: 'operator action', operator: 'alice', address: '198.51.100.77', path: `/admin/users/${u.id}/revoke_tokens`, status: 200, action: 'revoke_tokens', user_id: u.id }),
      expect.objectContaining({ msg: 'operator write refused: cross-origin', address: '198.51.100.77', method: 'PUT', refused: 'Origin: https://evil.example' }),
      expect.objectContaining({ msg: 'operator action', operator: null, status: 401 }),
    ]);
    // The operator token never reaches the log.
    expect(JSON.stringify(lines)).not.toContain(t.config.ADMIN_TOKEN);
  });
});

describe('the dashboard as an app of its own', () => {
  it('serves the board behind Basic auth while every API route stays on the RegExpRouter', async () => {
    expect((await call('GET', '/admin/queues')).status).toBe(401);
    expect((await call('GET', '/admin/queues/api/queues')).status).toBe(401);
    const board = await call('GET', '/admin/queues', basic());
    expect(board.status).toBe(200);
    expect(String(board.body)).toContain('<html');
    // Its scripts and styles come from the same app.
    const asset = String(board.body).match(/src="([^"]+\.js)"/)?.[1];
    expect(asset).toMatch(/^static\//);
    expect((await call('GET', `/admin/queues/${asset}`, basic())).status).toBe(200);
    // What the board has no route for is the API's 404, in the contract's error body.
    for (const [method, path] of [['PATCH', '/admin/queues'], ['PUT', '/admin/queues?x=1'], ['GET', '/admin/queues/no/such/page']]) {
      const missing = await call(method!, path!, basic());
      expect(missing).toEqual({ status: 404, body: { error: expect.objectContaining({ code: 'NOT_FOUND' }) } });
    }
    const list = await call('GET', '/admin/queues/api/queues', basic());
    expect(list.status).toBe(200);
    expect(list.body.queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining([t.deps.queues.rebuild.name]));
    // SmartRouter settles on the first router that takes every route: mounting the board's routes
    // in this app (one is beyond the RegExpRouter) would put all of them on the trie router.
    const app = createApp(t.deps);
    await app.request('/healthz');
    expect((app.router as { activeRouter?: { name: string } }).activeRouter?.name).toBe('RegExpRouter');
  });
});
