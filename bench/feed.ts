// Feed reads through the real HTTP stack (createApp on @hono/node-server, loopback only): the cached
// feed after a rebuild, then the same app with a live-only feed, then a no-op route as the ceiling
// of this client and server on this box, and the reference routes (bench/reference-server.ts) the
// issue's targets are read against. Same users, same load, so the ratios compare. The cached
// part alone (benchCachedReads) also runs on a Redis Cluster, for the comparison in bench/run.ts.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import { createMetrics } from '../api/metrics.js';
import { type Feed, createCachedFeed, createLiveFeed } from '../shared/feed.js';
import { pageBody } from '../shared/feed-rank.js';
import type { LiveIndex } from '../shared/live-index.js';
import type { Queues } from '../shared/queues.js';
import type { Resources } from '../shared/resources.js';
import { createRateLimits } from '../shared/rate-limits.js';
import { TokenVersions } from '../shared/token-versions.js';
import { signUserToken } from '../shared/tokens.js';
import { mulberry32 } from '../scripts/lib/synthetic.js';
import { type LoadResult, type LoadSpec, runLoad } from './load-client.js';
import { startReference } from './reference-server.js';
import { type Latency, type Row, int, latency, pct, ratio, spread } from './stats.js';

export interface FeedLoadOptions {
  concurrency: number;
  seconds: number;
  maxRequests: number;
}

export interface FeedReads {
  rows: Row[];
  cached: CachedReads;
  live: LoadResult;
  /** The reference route doing one Redis GET of a page-sized value: what likes are read against too. */
  refGet: LoadResult;
}

/** The app as api/server.ts builds it, but on 127.0.0.1 and an OS-chosen port that we can read back. */
async function listen(res: Resources, queues: Queues, live: LiveIndex, feed: Feed) {
  const tokenVersions = new TokenVersions(res.db, res.redis, res.config.REDIS_PREFIX);
  const limits = createRateLimits(res.config, res.redis);
  const app = createApp({ ...res, metrics: createMetrics(), feed, queues, live, limits, tokenVersions });
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => void tokenVersions.close().then(() => r()))),
  };
}

/** Cached pages as the API serves them, and feed.page() alone: on whatever Redis `res` names (single or cluster). */
export interface CachedReads {
  http: LoadResult;
  /** feed.page() of the cached feed alone (no HTTP), sequential: comparable with a single SQL query. */
  page: Latency;
  /** Cache errors (each page then served live). */
  errors: number;
  /** The size of one page's body (limit 20), for the reference route. */
  pageBytes: number;
}

/** Each user's token, in the order of `userIds`. */
const tokensOf = (res: Resources, userIds: number[]) =>
  Promise.all(userIds.map((id) => signUserToken(res.config.JWT_SECRET, id, res.config.TOKEN_TTL_S)));

/** GETs of each user's own first page, with their token, over `o`'s load. */
async function feedLoad(res: Resources, userIds: number[], o: FeedLoadOptions) {
  const tokens = await tokensOf(res, userIds);
  const paths = userIds.map((id) => `/potential_matches/${id}?limit=20`);
  return (port: number, extra: Partial<LoadSpec> = {}): Promise<LoadResult> =>
    runLoad({ port, paths, tokens, concurrency: o.concurrency, maxRequests: o.maxRequests, maxSeconds: o.seconds, warmupSeconds: 1, ...extra });
}

export async function benchCachedReads(res: Resources, queues: Queues, live: LiveIndex, userIds: number[], o: FeedLoadOptions): Promise<CachedReads> {
  const { config, redis, log } = res;
  let errors = 0;
  const cachedFeed = createCachedFeed({
    live, redis, prefix: config.REDIS_PREFIX, cacheSize: config.FEED_CACHE_SIZE,
    onError: (err) => {
      if (errors++ === 0) log.warn({ err }, 'feed cache error during the bench');
    },
  });
  const load = await feedLoad(res, userIds, o);
  const server = await listen(res, queues, live, cachedFeed);
  let http: LoadResult;
  try {
    console.error(`feed over HTTP: cached${config.REDIS_CLUSTER === 'on' ? ' on the cluster' : ''} (${o.concurrency} in flight, up to ${o.seconds} s)`);
    http = await load(server.port);
  } finally {
    await server.close();
  }
  const page = await sequentialPages(cachedFeed, userIds);
  const one = await cachedFeed.page(userIds[0]!, 20);
  return { http, page, errors, pageBytes: Buffer.byteLength(one.body ?? pageBody(userIds[0]!, one)) };
}

export async function benchFeedReads(res: Resources, queues: Queues, live: LiveIndex, userIds: number[], o: FeedLoadOptions): Promise<FeedReads> {
  const cached = await benchCachedReads(res, queues, live, userIds, o);
  const load = await feedLoad(res, userIds, o);
  const liveServer = await listen(res, queues, live, createLiveFeed(live));
  let liveLoad: LoadResult, noop: LoadResult, refGet: LoadResult, hello: LoadResult;
  try {
    console.error('feed over HTTP: live');
    liveLoad = await load(liveServer.port);
    console.error('HTTP ceiling: GET /healthz');
    noop = await load(liveServer.port, { paths: ['/healthz'], tokens: undefined });
  } finally {
    await liveServer.close();
  }
  const ref = await startReference(res.redis, res.config.REDIS_PREFIX, cached.pageBytes);
  try {
    console.error('reference: one Redis GET of a page-sized value, and a constant');
    refGet = await load(ref.port, { paths: ['/get'], tokens: undefined });
    hello = await load(ref.port, { paths: ['/hello'], tokens: undefined });
  } finally {
    await ref.close();
  }
  const vs = (a: LoadResult, b: LoadResult) => `${(a.perSecond / b.perSecond).toFixed(2)}x req/s`;
  const rows: Row[] = [
    httpRow('HTTP: GET /healthz (ceiling of this client + server)', noop),
    httpRow('HTTP reference: bare Hono route, constant JSON', hello),
    { name: 'HTTP: /healthz ÷ bare route', value: vs(noop, hello), note: `p99 ${ratio(noop.latency.p99, hello.latency.p99)} the bare route's` },
    httpRow(`HTTP reference: Hono route, one Redis GET of ${int(cached.pageBytes)} B`, refGet),
    cachedHttpRow('HTTP: feed page, cached (after rebuild)', cached.http),
    { name: 'HTTP: cached feed ÷ one-GET route', value: vs(cached.http, refGet), note: `p99 ${ratio(cached.http.latency.p99, refGet.latency.p99)} the route's` },
    httpRow('HTTP: feed page, live (live index + Postgres per read)', liveLoad),
    {
      name: 'HTTP: cached / live',
      value: `${ratio(cached.http.perSecond, liveLoad.perSecond)} req/s`,
      note: `latency live ÷ cached: p50 ${ratio(liveLoad.latency.p50, cached.http.latency.p50)}, p99 ${ratio(liveLoad.latency.p99, cached.http.latency.p99)}`,
    },
    { name: 'cached read: feed.page(20) alone, sequential', value: `${cached.page.p50.toFixed(2)} ms median`, note: `p50/p90/p99/max ${spread(cached.page, true)}; no HTTP` },
  ];
  if (cached.errors) rows.push({ name: 'HTTP: feed cache errors', value: int(cached.errors), note: 'served live instead' });
  return { rows, cached, live: liveLoad, refGet };
}

/**
 * Likes between random pairs of the sample, each with its liker's token, over the API with the
 * cached feed (each like then writes its exclusions to Redis), as the probe sends them. Run last: it
 * adds swipes. Read against the one-GET route of benchFeedReads (the target: 0.2x).
 */
export async function benchLikes(res: Resources, queues: Queues, live: LiveIndex, userIds: number[], o: FeedLoadOptions, refGet: LoadResult): Promise<Row[]> {
  const { config } = res;
  const tokens = await tokensOf(res, userIds);
  const rand = mulberry32(7);
  // [liker, liked] as indices into userIds.
  const pairs = Array.from({ length: 50_000 }, (_, i) => {
    const from = i % userIds.length;
    let to = Math.floor(rand() * userIds.length);
    if (to === from) to = (i + 1) % userIds.length;
    return [from, to] as const;
  });
  const feed = createCachedFeed({ live, redis: res.redis, prefix: config.REDIS_PREFIX, cacheSize: config.FEED_CACHE_SIZE });
  const server = await listen(res, queues, live, feed);
  let likes: LoadResult;
  try {
    console.error(`likes over HTTP: random pairs (${o.concurrency} in flight, up to ${o.seconds} s)`);
    likes = await runLoad({
      port: server.port, method: 'POST', paths: pairs.map(([a, b]) => `/like/${userIds[a]}/${userIds[b]}`), tokens: pairs.map(([a]) => tokens[a]!),
      concurrency: o.concurrency, maxRequests: o.maxRequests, maxSeconds: o.seconds, warmupSeconds: 1,
    });
  } finally {
    await server.close();
  }
  return [
    httpRow('HTTP: likes, random pairs of the sample', likes, `${pct(likes.statuses['201'] ?? 0, likes.requests)} new`, ['200', '201']),
    { name: 'HTTP: likes ÷ one-GET route', value: `${(likes.perSecond / refGet.perSecond).toFixed(2)}x req/s`, note: `p99 ${ratio(likes.latency.p99, refGet.latency.p99)} the route's (issue 7's targets: 0.2x, p99 5x)` },
  ];
}

export const cachedHttpRow = (name: string, r: LoadResult) => httpRow(name, r, `cache hits ${pct(r.sources.cache ?? 0, r.requests)}`);

/** A load's row; answers with another status than `ok` (or none) are counted in its note. */
function httpRow(name: string, r: LoadResult, extra?: string, ok = ['200']): Row {
  const bad = r.requests - ok.reduce((n, status) => n + (r.statuses[status] ?? 0), 0) + r.failures;
  const notes = [`p50/p90/p99 ${spread(r.latency)}`, `${int(r.requests)} requests in ${r.seconds.toFixed(1)} s`];
  if (extra) notes.push(extra);
  if (bad) notes.push(`${int(bad)} NOT ${ok.join('/')}: ${JSON.stringify(r.statuses)}`);
  return { name, value: `${int(r.perSecond)} req/s`, note: notes.join('; ') };
}

async function sequentialPages(feed: Feed, userIds: number[]): Promise<Latency> {
  const times: number[] = [];
  for (const id of userIds) {
    const t0 = performance.now();
    await feed.page(id, 20);
    times.push(performance.now() - t0);
  }
  return latency(times);
}
