// Rendered pages: the last page served from a user's cached list, stored as the response body, so
// that asking again for an unchanged page costs one GET (issue 7).
//
// A page is a function of the list, the exclusions, the cards it read and the limit. The first two
// share the page's slot, and every script that writes them deletes the page (feed-store.ts). A card
// changes through its own scripts (cards.ts, and feed-store.ts WRITE_BATCH for a rebuild), and what
// the page must never outlive is a card with a new version: a profile change, a pause or an erasure
// bumps it (users.version, cards.ts). A card that was missing when the page was rendered is named
// with '' and counts as changed once it is written.
//
// On a single Redis a page is invalidated when a card changes: storing it registers its owner in a
// reader set per card it read (<card key>:r, an intset of user ids), in the same script that checks
// that those cards are still the versions it read. A card write that changes the version deletes its
// readers' pages and the set, in its own script. Both are atomic, so a card change either comes before
// the store (the check fails) or after it (it deletes the page). A read is then one GET: checking 21
// card versions at each read was 41 µs of Redis per page served, a GET is under 1.
// A reader set expires with the last page registered in it (same TTL, set in the same script).
// This holds under `maxmemory-policy noeviction`, which BullMQ needs too (README): a reader set
// evicted before its pages would leave them to their TTL. Under it a list goes only with dropLists,
// which takes the page too, so a read need not look at the list.
//
// On a Redis Cluster the cards live in other slots than the page, where no script can reach: there
// the page names each card it read with that card's version, and a read serves it only while every
// version is still the same (one GET per card, pipelined per node).
//
// Rendering races with writes: the read that a page is rendered from claims the key (a placeholder,
// feed-store.ts READ_PAGE), and the page is stored only over its own placeholder. A write in
// between deletes the placeholder, so a page rendered from before it is never stored.
//
// Value: `<limit>\n<deps>\n<body>`. On a single Redis deps is empty; on a Redis Cluster it is the JSON
// [[card key, ...], [version, ...]] (JSON.stringify writes no raw newline, nor does a card's JSON).
// Each side serves only its own form, so a page stored in the other form (or an earlier one) is
// rendered again, never served unchecked.
import type { Redis, Result } from 'ioredis';
import { CARD_VERSION_CHARS, cardKey } from './cards.js';
import { READERS_SUFFIX, pageKey } from './page-readers.js';
import { batchWrites, isCluster } from './redis.js';
import { getMany } from './slots.js';

/** Long enough for someone to come back to their feed, short enough that idle users' pages go. */
export const RENDERED_PAGE_TTL_S = 300;

// KEYS[1]: the page. ARGV: the claim, the value, its TTL in seconds, the owner's id, then (on a
// single Redis) the card keys the page read and, after them, the version each had ('' missing).
// Only over the claim's own placeholder, and only if every card is still the version read: then the
// owner joins each card's reader set, which lives as long as the page. A Redis Cluster passes no
// cards (they are in other slots): its read checks them.
const PUT_RENDERED = `
if redis.call('GET', KEYS[1]) ~= '~' .. ARGV[1] then return 0 end
local n = (#ARGV - 4) / 2
if n > 0 then
  local cards = redis.call('MGET', unpack(ARGV, 5, 4 + n))
  for i = 1, n do
    local card = cards[i]
    if (card and string.sub(card, 1, ${CARD_VERSION_CHARS}) or '') ~= ARGV[4 + n + i] then return 0 end
  end
  for i = 5, 4 + n do
    local r = ARGV[i] .. '${READERS_SUFFIX}'
    redis.call('SADD', r, ARGV[4])
    redis.call('EXPIRE', r, ARGV[3])
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    mmPutRendered(pageKey: string, claim: string, value: string, ttl: number, owner: number, ...cardKeysThenVersions: string[]): Result<number, Context>;
  }
}

const scripted = new WeakSet<Redis>();
function withScripts(redis: Redis): Redis {
  if (!scripted.has(redis)) {
    redis.defineCommand('mmPutRendered', { numberOfKeys: 1, lua: PUT_RENDERED });
    scripted.add(redis);
  }
  return redis;
}

let claims = 0;
const claimPrefix = `${process.pid.toString(36)}.${Math.random().toString(36).slice(2, 8)}.`;
/** A claim no other read (in this process or another) holds. */
export const newClaim = () => claimPrefix + (++claims).toString(36);

/** The cards a page read, as [id, version prefix of its value as read ('' when missing)]. */
export type PageCards = [id: number, version: string][];

const NL = 10;

/** A page's response body as stored: JSON in UTF-8. */
export type Body = Buffer<ArrayBuffer>;

/**
 * The user's rendered page for `limit`, if nothing it was rendered from has changed; otherwise
 * undefined. As bytes, sent as they are: decoding the reply into a string and encoding it again for
 * the socket was a quarter of a cached read's CPU (issue 7).
 */
export async function readRendered(redis: Redis, prefix: string, uid: number, limit: number): Promise<Body | undefined> {
  batchWrites(redis);
  // A reply's buffer is over an ArrayBuffer (never shared memory).
  const v = (await redis.getBuffer(pageKey(prefix, uid))) as Buffer<ArrayBuffer> | null;
  if (!v) return undefined;
  // A placeholder ('~…') or a page for another limit has another first line.
  const a = v.indexOf(NL);
  if (v.toString('latin1', 0, a) !== String(limit)) return undefined;
  // Each side serves only its own form: registered pages (an empty deps line) on a single Redis,
  // where card writes delete them; pages naming their cards' versions on a Redis Cluster.
  if (!isCluster(redis)) return v[a + 1] === NL ? v.subarray(a + 2) : undefined;
  if (v[a + 1] !== 0x5b) return undefined; // '['
  const b = v.indexOf(NL, a + 1);
  const [names, versions] = JSON.parse(v.toString('utf8', a + 1, b)) as [string[], string[]];
  const values = await getMany(redis, names);
  return versions.every((version, i) => (values[i] ?? '').slice(0, CARD_VERSION_CHARS) === version) ? v.subarray(b + 1) : undefined;
}

/** Stores the page rendered from the read that took `claim`, unless the list, exclusions or a card it read changed since. */
export async function putRendered(redis: Redis, prefix: string, uid: number, claim: string, limit: number, cards: PageCards, body: string): Promise<boolean> {
  const page = pageKey(prefix, uid);
  const names = cards.map(([id]) => cardKey(prefix, id));
  const versions = cards.map(([, version]) => version);
  if (!isCluster(redis)) {
    return (await withScripts(redis).mmPutRendered(page, claim, `${limit}\n\n${body}`, RENDERED_PAGE_TTL_S, uid, ...names, ...versions)) === 1;
  }
  const value = `${limit}\n${JSON.stringify([names, versions])}\n${body}`;
  return (await withScripts(redis).mmPutRendered(page, claim, value, RENDERED_PAGE_TTL_S, uid)) === 1;
}
