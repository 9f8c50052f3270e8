// Ranked lists and cards in Redis. Everything here can be rebuilt from Postgres.
//
// Keys (prefix = REDIS_PREFIX); the {…} hash tag keeps a user's list and hide set in one Cluster slot:
//   <p>:feed:{<uid>}  the ranked list, one packed value (written whole: readers never see half a list)
//   <p>:hide:{<uid>}  sorted set of ids swiped since the list was built (score = ms), filtered at read
//   <p>:card:<id>     the public card plus the numbers needed to re-check eligibility at read time
import type { Redis, Result } from 'ioredis';
import { genderBit, interestMask } from './genders.js';
import type { Candidate } from './matching/types.js';
import type { Card, Profile } from './profile.js';

export const keys = (prefix: string) => ({
  feed: (uid: number) => `${prefix}:feed:{${uid}}`,
  hide: (uid: number) => `${prefix}:hide:{${uid}}`,
  card: (id: number) => `${prefix}:card:${id}`,
});

export interface RankedList {
  /** When the data it was computed from was read (ms since epoch). */
  generatedAt: number;
  /** The list holds every user eligible at generatedAt (fewer than the cache size). */
  complete: boolean;
  ids: Int32Array;
  scores: Int32Array;
}

// Layout: 13 ASCII digits of generatedAt (so the Lua below can compare without decoding), one flag
// byte, then (id, score) as little-endian int32 pairs. 100 entries = 814 bytes.
const HEAD = 14;

export function packList(list: RankedList): Buffer {
  const buf = Buffer.allocUnsafe(HEAD + list.ids.length * 8);
  buf.write(String(Math.floor(list.generatedAt)).padStart(13, '0'), 0, 'latin1');
  buf[13] = list.complete ? 1 : 0;
  for (let i = 0; i < list.ids.length; i++) {
    buf.writeInt32LE(list.ids[i]!, HEAD + i * 8);
    buf.writeInt32LE(list.scores[i]!, HEAD + i * 8 + 4);
  }
  return buf;
}

export function unpackList(buf: Buffer): RankedList {
  const n = (buf.length - HEAD) >> 3;
  const ids = new Int32Array(n);
  const scores = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = buf.readInt32LE(HEAD + i * 8);
    scores[i] = buf.readInt32LE(HEAD + i * 8 + 4);
  }
  return { generatedAt: Number(buf.toString('latin1', 0, 13)), complete: buf[13] === 1, ids, scores };
}

// Replace the list only with a newer one: a rebuild that read Postgres before a user's own refresh
// must not overwrite it. Then drop hide entries older than the list (the list already excludes them).
const SET_IF_NEWER = `
local old = redis.call('GET', KEYS[1])
if old and tonumber(string.sub(old, 1, 13)) > tonumber(string.sub(ARGV[1], 1, 13)) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2])
return 1`;

// Puts one (id, score) into an existing list in rank order (score desc, id asc), capped at ARGV[3]
// entries; keeps its header. No list, nothing to do: the user gets a fresh one on their next read.
const MERGE_ENTRY = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local id, score, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out, placed = {}, false
for pos = ${HEAD + 1}, string.len(v), 8 do
  local eid, escore = struct.unpack('<i4<i4', v, pos)
  if eid ~= id then
    if not placed and (score > escore or (score == escore and id < eid)) then
      out[#out + 1] = struct.pack('<i4<i4', id, score)
      placed = true
    end
    out[#out + 1] = struct.pack('<i4<i4', eid, escore)
  end
end
if not placed then out[#out + 1] = struct.pack('<i4<i4', id, score) end
while #out > cap do table.remove(out) end
redis.call('SET', KEYS[1], string.sub(v, 1, ${HEAD}) .. table.concat(out))
return 1`;

const READ_PAGE = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local hidden = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do hidden[tonumber(id)] = true end
local prefix, skip, n = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
local ids, scores, cardKeys, seen, remaining = {}, {}, {}, 0, 0
for pos = ${HEAD + 1}, string.len(v), 8 do
  local id, score = struct.unpack('<i4<i4', v, pos)
  if not hidden[id] then
    seen = seen + 1
    if seen > skip then
      if #ids < n then
        ids[#ids + 1] = id
        scores[#scores + 1] = score
        cardKeys[#cardKeys + 1] = prefix .. id
      else
        remaining = remaining + 1
      end
    end
  end
end
local cards = {}
if #cardKeys > 0 then cards = redis.call('MGET', unpack(cardKeys)) end
local me = ''
if skip == 0 then me = redis.call('GET', prefix .. ARGV[2]) or '' end
return {string.sub(v, 1, ${HEAD}), ids, scores, cards, me, remaining}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    mmSetListIfNewer(feedKey: string, hideKey: string, packed: Buffer, hideBefore: number | string): Result<number, Context>;
    mmMergeEntry(feedKey: string, id: number | string, score: number | string, cap: number | string): Result<number, Context>;
    mmReadPage(feedKey: string, hideKey: string, cardPrefix: string, uid: number, skip: number, n: number): Result<unknown, Context>;
  }
}

const scripted = new WeakSet<Redis>();
function withScripts(redis: Redis): Redis {
  if (!scripted.has(redis)) {
    redis.defineCommand('mmSetListIfNewer', { numberOfKeys: 2, lua: SET_IF_NEWER });
    redis.defineCommand('mmMergeEntry', { numberOfKeys: 1, lua: MERGE_ENTRY });
    redis.defineCommand('mmReadPage', { numberOfKeys: 2, lua: READ_PAGE });
  }
  scripted.add(redis);
  return redis;
}

/** Queues the writes of many lists on a pipeline (the caller executes it). */
export function writeLists(redis: Redis, prefix: string, lists: Iterable<[number, RankedList]>): Promise<unknown> {
  const k = keys(prefix);
  const p = withScripts(redis).pipeline();
  // Swipes made in the minute before the data was read are kept: their effect may be missing from it.
  for (const [uid, list] of lists) p.mmSetListIfNewer(k.feed(uid), k.hide(uid), packList(list), list.generatedAt - 60_000);
  return p.exec().then(throwOnError);
}

/** Offers `entries` ([list owner, id, score]) to existing lists; each lands only if it ranks within the cap. */
export async function mergeEntries(redis: Redis, prefix: string, entries: Iterable<[number, number, number]>, cap: number): Promise<void> {
  const k = keys(prefix);
  const p = withScripts(redis).pipeline();
  for (const [owner, id, score] of entries) p.mmMergeEntry(k.feed(owner), id, score, cap);
  throwOnError(await p.exec());
}

function throwOnError(results: [Error | null, unknown][] | null) {
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
  return results;
}

export interface CachedCard {
  card: Card;
  m: Candidate;
}

export function cardValue(p: Profile): string {
  const m: Candidate = {
    id: p.id,
    age: p.age,
    height: p.height,
    genderBit: genderBit(p.gender),
    interestMask: interestMask(p.interested_in),
    ageMin: p.preferred_age_min,
    ageMax: p.preferred_age_max,
    heightMin: p.preferred_height_min,
    heightMax: p.preferred_height_max,
  };
  const card: Card = { id: p.id, name: p.name, age: p.age, height: p.height, gender: p.gender, bio: p.bio, interests: p.interests };
  return JSON.stringify({ card, m });
}

export async function writeCards(redis: Redis, prefix: string, profiles: Iterable<Profile>): Promise<void> {
  const k = keys(prefix);
  const p = redis.pipeline();
  for (const profile of profiles) p.set(k.card(profile.id), cardValue(profile));
  throwOnError(await p.exec());
}

export interface PageRead {
  generatedAt: number;
  complete: boolean;
  /** The asker's own card (read with the first chunk only). */
  me?: CachedCard;
  /** The next not-hidden entries of the list, with their cards (undefined where none is cached). */
  entries: { id: number; score: number; card?: CachedCard }[];
  /** Not-hidden entries left after these. */
  remaining: number;
}

/**
 * One round trip for a page: the list, minus what was swiped since it was built, skipping `skip`
 * entries, the next `n` of them with their cards, and (on the first read) the asker's card.
 * The list and hide set share a slot; the cards are read inside the script, which on a Redis
 * Cluster would need them in that slot too (see README).
 */
export async function readPage(redis: Redis, prefix: string, uid: number, skip: number, n: number): Promise<PageRead | undefined> {
  const k = keys(prefix);
  const r = await withScripts(redis).mmReadPage(k.feed(uid), k.hide(uid), `${prefix}:card:`, uid, skip, n);
  if (!r) return undefined;
  const [head, ids, scores, cards, me, remaining] = r as [string, number[], number[], (string | null)[], string, number];
  const parse = (v: string | null | undefined) => (v ? (JSON.parse(v) as CachedCard) : undefined);
  return {
    generatedAt: Number(head.slice(0, 13)),
    complete: head.charCodeAt(13) === 1,
    me: parse(me),
    entries: ids.map((id, i) => ({ id, score: scores[i]!, card: parse(cards[i]) })),
    remaining,
  };
}

/** A swipe by uid on otherId hides otherId from uid's list; a pass also hides uid from otherId's. */
export async function recordSwipe(redis: Redis, prefix: string, uid: number, otherId: number, kind: 'like' | 'pass'): Promise<void> {
  const k = keys(prefix);
  const now = Date.now();
  const p = redis.pipeline().zadd(k.hide(uid), String(now), String(otherId));
  if (kind === 'pass') p.zadd(k.hide(otherId), String(now), String(uid));
  // A like replacing a pass makes uid eligible for otherId again.
  else p.zrem(k.hide(otherId), String(uid));
  throwOnError(await p.exec());
}
