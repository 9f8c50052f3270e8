// Rendered pages: the last page served from a user's cached list, stored as the response body, so
// that asking again for an unchanged page costs one GET and a check of card versions (issue 7).
//
// A page is a function of the list, the exclusions, the cards it read and the limit. The first two
// share the page's slot, and every script that writes them deletes the page (feed-store.ts). The
// cards live elsewhere (other slots on a Redis Cluster), so the page names each card it read with
// that card's version, and a read serves it only while every version is still the same: a profile
// change, a pause or an erasure bumps the version (users.version, cards.ts). A card that was
// missing is named with '' and invalidates the page once it is written again.
//
// Rendering races with writes: the read that a page is rendered from claims the key (a placeholder,
// feed-store.ts READ_PAGE), and the page is stored only over its own placeholder. A write in
// between deletes the placeholder, so a page rendered from before it is never stored.
//
// Value: `<limit>\n<deps>\n<body>`, deps being the JSON [[card key, ...], [version, ...]] (JSON.stringify
// writes no raw newline, nor does a card's JSON). The read checks them with one MGET: a redis.call per
// card and Lua patterns to parse the list were 80 µs of Redis per page served, one MGET and cjson 35.
import type { Redis, Result } from 'ioredis';
import { CARD_VERSION_CHARS, cardKey } from './cards.js';
import { keys } from './feed-store.js';
import { isCluster } from './redis.js';
import { getMany } from './slots.js';

/** Long enough for someone to come back to their feed, short enough that idle users' pages go. */
export const RENDERED_PAGE_TTL_S = 300;

// KEYS: the page, the list it was rendered from (gone means the page is too: Redis may evict or
// lose the list without a script deleting the page). ARGV: the limit asked for, and '1' to check the
// cards here (a single Redis) or '0' to return the whole value for the caller to check (a Redis Cluster).
const READ_RENDERED = `
local v = redis.call('GET', KEYS[1])
if not v or string.byte(v, 1) == 126 or redis.call('EXISTS', KEYS[2]) == 0 then return false end
local a = string.find(v, '\\n', 1, true)
if string.sub(v, 1, a - 1) ~= ARGV[1] then return false end
if ARGV[2] == '0' then return v end
-- A page stored in an earlier format (no JSON list) is not served: it is rendered again.
if string.byte(v, a + 1) ~= 91 then return false end
local b = string.find(v, '\\n', a + 1, true)
local deps = cjson.decode(string.sub(v, a + 1, b - 1))
local names, versions = deps[1], deps[2]
local cards = redis.call('MGET', unpack(names))
for i = 1, #names do
  local card = cards[i]
  if (card and string.sub(card, 1, ${CARD_VERSION_CHARS}) or '') ~= versions[i] then return false end
end
return string.sub(v, b + 1)`;

// KEYS[1]: the page. ARGV: the claim, the value, its TTL in seconds. Only over the claim's own placeholder.
const PUT_RENDERED = `
if redis.call('GET', KEYS[1]) ~= '~' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    mmReadRendered(pageKey: string, listKey: string, limit: number, checkHere: '0' | '1'): Result<string | null, Context>;
    mmPutRendered(pageKey: string, claim: string, value: string, ttl: number): Result<number, Context>;
  }
}

const scripted = new WeakSet<Redis>();
function withScripts(redis: Redis): Redis {
  if (!scripted.has(redis)) {
    redis.defineCommand('mmReadRendered', { numberOfKeys: 2, lua: READ_RENDERED });
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

/** The user's rendered page for `limit`, if every card it read is unchanged; otherwise undefined. */
export async function readRendered(redis: Redis, prefix: string, uid: number, limit: number): Promise<string | undefined> {
  const cluster = isCluster(redis);
  const k = keys(prefix);
  const v = await withScripts(redis).mmReadRendered(k.page(uid), k.feed(uid), limit, cluster ? '0' : '1');
  if (!v) return undefined;
  if (!cluster) return v;
  const a = v.indexOf('\n');
  const b = v.indexOf('\n', a + 1);
  if (v[a + 1] !== '[') return undefined; // an earlier format: rendered again
  const [names, versions] = JSON.parse(v.slice(a + 1, b)) as [string[], string[]];
  const values = await getMany(redis, names);
  return versions.every((version, i) => (values[i] ?? '').slice(0, CARD_VERSION_CHARS) === version) ? v.slice(b + 1) : undefined;
}

/** Stores the page rendered from the read that took `claim`, unless the list or exclusions changed since. */
export async function putRendered(redis: Redis, prefix: string, uid: number, claim: string, limit: number, cards: PageCards, body: string): Promise<boolean> {
  const deps = JSON.stringify([cards.map(([id]) => cardKey(prefix, id)), cards.map(([, version]) => version)]);
  const value = `${limit}\n${deps}\n${body}`;
  return (await withScripts(redis).mmPutRendered(keys(prefix).page(uid), claim, value, RENDERED_PAGE_TTL_S)) === 1;
}
