// Ranked lists, exclusions and cards in Redis. Everything here can be rebuilt from Postgres, and
// every write is newer-wins on a version taken from Postgres, so no order of retries, rebuild
// partitions and request-time writes can put back something older.
//
// Keys (prefix = REDIS_PREFIX); the {…} hash tag keeps a user's list and exclusions in one slot:
//   <p>:feed2:{<uid>} the ranked list, one packed value (written whole: readers never see half a list)
//   <p>:x:{<uid>}     hash of what happened since the list's snapshot that the list cannot know:
//                     o:<id> = xid        uid swiped on <id>, or one of them blocked the other: never shown again
//                     i:<id> = xid:p|l    <id> passed on (p) or liked (l) uid: the latest wins (a like replaces a pass)
//   <p>:card2:<id>    version + what read-time checks need + the public card (cards.ts)
//   <p>:card2:<id>:r  single Redis: the users whose rendered page read the card (page-readers.ts)
//   <p>:pg:{<uid>}    the last page served from the list, rendered (rendered-pages.ts): every write
//                     of the list or the exclusions above deletes it, in the same script, and so
//                     does a new version of a card it read
// (The 2s name the layouts of issue 7, 6-byte entries and lean cards: an older version's keys are never misread.)
//
// An xid is the Postgres transaction id (xid8) of the swipe or block. A list carries the xmin of the
// snapshot it was computed from: every transaction below it had finished, so the list reflects it,
// and writing the list drops the exclusion entries below its xmin. Entries at or above it stay.
// Within a pair, xids grow with time: every swipe or block of a pair takes the pair's lock before
// its first write, which is when Postgres assigns the xid.
import type { Redis, Result } from 'ioredis';
import { CARD_SEGMENT, CARD_VERSION_CHARS, type PageCard, cardKey, cardKeyPrefix, readCard, writeCardValues } from './cards.js';
import { DROP_READERS_LUA, PAGE_SEGMENT, pageKey } from './page-readers.js';
import { isCluster } from './redis.js';
import { execBySlot, getMany, groupBySlot, type SlotOp } from './slots.js';

const FEED_SEGMENT = 'feed2';
/** How long a claim to render a page holds: far longer than a page takes to read (rendered-pages.ts). */
const CLAIM_TTL_S = 30;

export const keys = (prefix: string) => ({
  feed: (uid: number) => `${prefix}:${FEED_SEGMENT}:{${uid}}`,
  excl: (uid: number) => `${prefix}:x:{${uid}}`,
  card: (id: number) => cardKey(prefix, id),
  page: (uid: number) => pageKey(prefix, uid),
});

export interface RankedList {
  /** xmin of the Postgres snapshot the list was computed from (xid8, decimal). */
  xmin: string;
  /** The owner's users.version in that snapshot: breaks ties between lists of the same xmin. */
  ownerVersion: number;
  /** When it was computed (ms since epoch), for display (generated_at) and age only, never for ordering. */
  generatedAt: number;
  /** The list holds every user eligible at that snapshot (fewer than the cache size). */
  complete: boolean;
  ids: Int32Array;
  scores: Int32Array;
}

// Header: xmin as 20 digits and the owner version as 12 (compared as one string, which orders like
// the pair of numbers), generatedAt as 13 digits, one flag byte, then the top score (int32 LE, the
// base); then per entry the id (int32 LE) and how far its score is below the base (uint16 LE):
// 6 bytes an entry, so 75 entries fit Redis' 512-byte allocation (see FEED_CACHE_SIZE). Entries are
// in rank order, so offsets are >= 0; scores span far less than 65,535 (score.ts), clamped anyway.
const XMIN = 20;
const VERSION_END = XMIN + 12;
const FLAG = VERSION_END + 13;
const HEAD = FLAG + 1 + 4;
const ENTRY = 6;
const MAX_OFFSET = 0xffff;

export const xid20 = (xid: string | bigint) => String(xid).padStart(XMIN, '0');

export function packList(list: RankedList): Buffer {
  if (!(list.ownerVersion >= 0 && list.ownerVersion < 1e12)) throw new RangeError(`owner version ${list.ownerVersion} does not fit 12 digits`);
  const n = list.ids.length;
  const buf = Buffer.allocUnsafe(HEAD + n * ENTRY);
  buf.write(xid20(list.xmin) + String(list.ownerVersion).padStart(12, '0') + String(Math.floor(list.generatedAt)).padStart(13, '0'), 0, 'latin1');
  buf[FLAG] = list.complete ? 1 : 0;
  const base = n ? list.scores[0]! : 0;
  buf.writeInt32LE(base, FLAG + 1);
  for (let i = 0, at = HEAD; i < n; i++, at += ENTRY) {
    buf.writeInt32LE(list.ids[i]!, at);
    buf.writeUInt16LE(Math.min(MAX_OFFSET, Math.max(0, base - list.scores[i]!)), at + 4);
  }
  return buf;
}

function unpackHead(head: string) {
  return {
    xmin: String(BigInt(head.slice(0, XMIN))),
    ownerVersion: Number(head.slice(XMIN, VERSION_END)),
    generatedAt: Number(head.slice(VERSION_END, FLAG)),
    complete: head.charCodeAt(FLAG) === 1,
  };
}

export function unpackList(buf: Buffer): RankedList {
  const n = Math.floor((buf.length - HEAD) / ENTRY);
  const ids = new Int32Array(n);
  const scores = new Int32Array(n);
  const base = buf.readInt32LE(FLAG + 1);
  for (let i = 0, at = HEAD; i < n; i++, at += ENTRY) {
    ids[i] = buf.readInt32LE(at);
    scores[i] = base - buf.readUInt16LE(at + 4);
  }
  return { ...unpackHead(buf.toString('latin1', 0, FLAG + 1)), ids, scores };
}

// Lists one by one, each replaced only with one at least as new, then its owner's exclusion entries
// below its xmin dropped, and its rendered page deleted. KEYS: (list, exclusions, page) per list,
// one slot per call on a Redis Cluster; ARGV: the packed lists. One call writes a whole batch: Lua
// is cheap per list, a call is not.
// Only the header's 32-character version is read of the old list (GETRANGE); a missing key gives ''.
const SET_LISTS_IF_NEWER = `
local written = 0
for i = 1, #ARGV do
  local new = ARGV[i]
  local old = redis.call('GETRANGE', KEYS[3 * i - 2], 0, ${VERSION_END - 1})
  if old == '' or old <= string.sub(new, 1, ${VERSION_END}) then
    redis.call('SET', KEYS[3 * i - 2], new)
    redis.call('DEL', KEYS[3 * i])
    local xmin = string.sub(new, 1, ${XMIN})
    local kv = redis.call('HGETALL', KEYS[3 * i - 1])
    for j = 1, #kv, 2 do
      if string.sub(kv[j + 1], 1, ${XMIN}) < xmin then redis.call('HDEL', KEYS[3 * i - 1], kv[j]) end
    end
    written = written + 1
  end
end
return written`;

// o:<id>: keep the largest xid (the entry must outlive every list that might not know it).
// i:<id>: the latest of the other person's swipes wins. KEYS[2], the owner's rendered page, goes with any change.
const MARK = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and string.sub(old, 1, ${XMIN}) > string.sub(ARGV[2], 1, ${XMIN}) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1`;

// Puts one (id, score) into an existing list in rank order (score desc, id asc), capped at ARGV[3]
// entries; keeps its header but the base score, which becomes the new top score. Only when the entry was computed from a snapshot at least as new as the
// list's (ARGV[4], an xmin): exclusions older than the list's xmin were dropped with the list's write,
// so an entry from before it could bring back someone the list left out. KEYS[2]: the rendered page, deleted on a change.
const MERGE_ENTRY = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if string.sub(v, 1, ${XMIN}) > ARGV[4] then return 0 end
local id, score, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local base = struct.unpack('<i4', v, ${FLAG + 2})
local ids, scores, placed = {}, {}, false
for pos = ${HEAD + 1}, string.len(v) - ${ENTRY - 1}, ${ENTRY} do
  local eid, off = struct.unpack('<i4<H', v, pos)
  local escore = base - off
  if eid ~= id then
    if not placed and (score > escore or (score == escore and id < eid)) then
      ids[#ids + 1], scores[#scores + 1], placed = id, score, true
    end
    ids[#ids + 1], scores[#scores + 1] = eid, escore
  end
end
if not placed then ids[#ids + 1], scores[#scores + 1] = id, score end
local n = math.min(#ids, cap)
local top = scores[1]
local out = {string.sub(v, 1, ${FLAG + 1}), struct.pack('<i4', top)}
for i = 1, n do out[#out + 1] = struct.pack('<i4<H', ids[i], math.min(${MAX_OFFSET}, top - scores[i])) end
redis.call('SET', KEYS[1], table.concat(out))
redis.call('DEL', KEYS[2])
return 1`;

// A page: the list minus its exclusions, skipping ARGV[3] entries, the next ARGV[4] with their
// cards, and (on the first read) the asker's card. With ARGV[5] = '0' (Redis Cluster) it reads
// only its two keys, which share a slot, and leaves the cards (other slots) to the caller.
// It unpacks only the entries it returns: with nothing hidden, what remains is counted from the
// list's length; otherwise the rest is walked for the count (the exclusions are few).
// The reply is one string, lines joined by \n: the list's header, the count remaining, the asker's
// card, then id, score and card per entry ('' for a card not read or not cached). Card values hold
// no \n (their JSON comes from JSON.stringify, cards.ts). One string, not nested arrays: decoding
// ~75 reply items was a tenth of a cached read's CPU (issue 7).
// With a claim (ARGV[6], not ''), it also puts a placeholder holding the claim in the rendered page's
// key (KEYS[3]): the page rendered from this read is stored only if no write deleted it meanwhile.
const READ_PAGE = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
if ARGV[6] ~= '' then redis.call('SET', KEYS[3], '~' .. ARGV[6], 'EX', ${CLAIM_TTL_S}) end
local hidden, nhidden = {}, 0
local kv = redis.call('HGETALL', KEYS[2])
for i = 1, #kv, 2 do
  local kind, id = string.sub(kv[i], 1, 1), tonumber(string.sub(kv[i], 3))
  if kind == 'o' or string.sub(kv[i + 1], -1) == 'p' then
    hidden[id] = true
    nhidden = nhidden + 1
  end
end
local prefix, skip, n = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
local ids, scores, cardKeys, seen, remaining = {}, {}, {}, 0, 0
local base = struct.unpack('<i4', v, ${FLAG + 2})
local last = string.len(v) - ${ENTRY - 1}
local pos = ${HEAD + 1}
while pos <= last and #ids < n do
  local id, off = struct.unpack('<i4<H', v, pos)
  pos = pos + ${ENTRY}
  if not hidden[id] then
    seen = seen + 1
    if seen > skip then
      ids[#ids + 1] = id
      scores[#scores + 1] = base - off
      cardKeys[#cardKeys + 1] = prefix .. id
    end
  end
end
if nhidden == 0 then
  remaining = (last - pos) / ${ENTRY} + 1
  if remaining < 0 then remaining = 0 end
else
  while pos <= last do
    if not hidden[struct.unpack('<i4', v, pos)] then remaining = remaining + 1 end
    pos = pos + ${ENTRY}
  end
end
local cards, me = {}, ''
if ARGV[5] == '1' then
  if #cardKeys > 0 then cards = redis.call('MGET', unpack(cardKeys)) end
  if skip == 0 then me = redis.call('GET', prefix .. ARGV[2]) or '' end
end
local out = {string.sub(v, 1, ${FLAG + 1}), remaining, me}
for i = 1, #ids do
  out[#out + 1] = ids[i]
  out[#out + 1] = scores[i]
  out[#out + 1] = cards[i] or ''
end
return table.concat(out, '\\n')`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    mmSetListsIfNewer(numKeys: number, ...keysThenLists: (string | Buffer)[]): Result<number, Context>;
    mmMark(exclKey: string, pageKey: string, field: string, value: string): Result<number, Context>;
    mmWriteBatch(prefix: string, uids: Buffer, lists: Buffer, listEnds: Buffer, cards: Buffer, cardEnds: Buffer): Result<number, Context>;
    mmMergeEntry(feedKey: string, pageKey: string, id: number | string, score: number | string, cap: number | string, xmin: string): Result<number, Context>;
    mmReadPage(feedKey: string, exclKey: string, pageKey: string, cardPrefix: string, uid: number, skip: number, n: number, withCards: '0' | '1', claim: string): Result<unknown, Context>;
  }
}

const scripted = new WeakSet<Redis>();
export function withScripts(redis: Redis): Redis {
  if (!scripted.has(redis)) {
    redis.defineCommand('mmSetListsIfNewer', { lua: SET_LISTS_IF_NEWER });
    redis.defineCommand('mmMark', { numberOfKeys: 2, lua: MARK });
    redis.defineCommand('mmWriteBatch', { numberOfKeys: 0, lua: WRITE_BATCH });
    redis.defineCommand('mmMergeEntry', { numberOfKeys: 2, lua: MERGE_ENTRY });
    redis.defineCommand('mmReadPage', { numberOfKeys: 3, lua: READ_PAGE });
    scripted.add(redis);
  }
  return redis;
}

export function throwOnError(results: [Error | null, unknown][] | null) {
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
  return results;
}

/** Lists per script call: each call holds Redis for its length (about 5 µs a list), so requests wait at most ~1 ms. */
const LISTS_PER_CALL = 200;

/**
 * Writes many lists (each newer-wins, trimming its owner's exclusions): one script call per batch of
 * lists on a single Redis, one per slot on a Redis Cluster (a script's keys must share a slot), all
 * in one pipeline per node.
 */
export async function writeLists(redis: Redis, prefix: string, lists: Iterable<[number, RankedList]>): Promise<void> {
  await writePackedLists(redis, prefix, Array.from(lists, ([uid, list]): [number, Buffer] => [uid, packList(list)]));
}

/** writeLists of lists packed already (packList), e.g. by a ranking thread. */
export async function writePackedLists(redis: Redis, prefix: string, lists: [number, Buffer][]): Promise<void> {
  const k = keys(prefix);
  const items = lists.map(([uid, packed]): [string, string, string, Buffer] => [k.feed(uid), k.excl(uid), k.page(uid), packed]);
  const ops: SlotOp[] = groupBySlot(redis, items, (item) => item[0], LISTS_PER_CALL).map((group) => [
    group[0]![0],
    (p) => p.mmSetListsIfNewer(group.length * 3, ...group.flatMap(([feed, excl, page]) => [feed, excl, page]), ...group.map((item) => item[3])),
  ]);
  await execBySlot(withScripts(redis), ops);
}

// A rebuild's batch on a single Redis, in one call: per user, the card (newer-wins on its version,
// as cards.ts), then the list (as SET_LISTS_IF_NEWER). ARGV: the key prefix; the users' ids (int32
// LE); the packed lists one after another and where each ends (int32 LE, bytes); the same for the
// card values. Newer-wins as one SET ... GET that puts the old value back in the rare case it was
// newer (atomic in the script, so no one sees the swap; KEEPTTL keeps a tombstone's expiry): one
// call instead of a read and a write, which is most of the script's cost.
// It builds the keys from the prefix, as READ_PAGE reads cards: only on a single Redis
// (a Redis Cluster takes the per-slot path). Everything in a handful of arguments: the client
// serialises a few buffers per batch instead of a string per key and value.
const WRITE_BATCH = `${DROP_READERS_LUA}
local prefix, uids, lists, listEnds, cards, cardEnds = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local pages = prefix .. ':${PAGE_SEGMENT}:{'
local lpos, cpos = 1, 1
for at = 1, string.len(uids), 4 do
  local uid = struct.unpack('<i4', uids, at)
  local cend = struct.unpack('<i4', cardEnds, at)
  local card = string.sub(cards, cpos, cend)
  cpos = cend + 1
  local ck = prefix .. ':${CARD_SEGMENT}:' .. uid
  -- Most cards come back unchanged: a read then costs Redis a third of a write that returns the old value.
  local old = redis.call('GET', ck)
  if old ~= card then
    local was, version = old and string.sub(old, 1, ${CARD_VERSION_CHARS}) or '', string.sub(card, 1, ${CARD_VERSION_CHARS})
    if was <= version then
      redis.call('SET', ck, card, 'KEEPTTL')
      if was ~= version then dropReaders(ck, pages) end
    end
  end
  local lend = struct.unpack('<i4', listEnds, at)
  local new = string.sub(lists, lpos, lend)
  lpos = lend + 1
  local fk = prefix .. ':${FEED_SEGMENT}:{' .. uid .. '}'
  old = redis.call('SET', fk, new, 'GET')
  if old and string.sub(old, 1, ${VERSION_END}) > string.sub(new, 1, ${VERSION_END}) then
    redis.call('SET', fk, old)
  else
    redis.call('DEL', pages .. uid .. '}')
    local xk = prefix .. ':x:{' .. uid .. '}'
    local xmin = string.sub(new, 1, ${XMIN})
    local kv = redis.call('HGETALL', xk)
    for j = 1, #kv, 2 do
      if string.sub(kv[j + 1], 1, ${XMIN}) < xmin then redis.call('HDEL', xk, kv[j]) end
    end
  end
end
return 1`;

/** Users per WRITE_BATCH call: a call holds Redis for its length (~5-10 µs a user), so about 2 ms. */
const USERS_PER_CALL = 250;

/** A rebuild's batch: owners, their packed lists (packList) one after another with where each ends, and their card values. */
export interface RebuildBatch {
  uids: Int32Array;
  lists: Buffer;
  listEnds: Int32Array;
  cards: string[];
}

const int32s = (a: Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Writes a rebuild's batch of cards and lists, each newer-wins (cards.ts, writeLists): on a single
 * Redis one script call per USERS_PER_CALL users, all in one pipeline; on a Redis Cluster per slot.
 */
export async function writeRebuildBatch(redis: Redis, prefix: string, b: RebuildBatch): Promise<void> {
  const n = b.uids.length;
  const listAt = (i: number) => (i > 0 ? b.listEnds[i - 1]! : 0);
  if (isCluster(redis)) {
    await writeCardValues(redis, prefix, Array.from(b.uids, (uid, i): [number, string] => [uid, b.cards[i]!]));
    await writePackedLists(redis, prefix, Array.from(b.uids, (uid, i): [number, Buffer] => [uid, b.lists.subarray(listAt(i), b.listEnds[i])]));
    return;
  }
  const p = withScripts(redis).pipeline();
  for (let from = 0; from < n; from += USERS_PER_CALL) {
    const to = Math.min(n, from + USERS_PER_CALL);
    const listEnds = b.listEnds.slice(from, to).map((e) => e - listAt(from));
    const cards = b.cards.slice(from, to);
    const cardEnds = new Int32Array(cards.length);
    for (let i = 0, end = 0; i < cards.length; i++) cardEnds[i] = end += Buffer.byteLength(cards[i]!);
    p.mmWriteBatch(prefix, int32s(b.uids.subarray(from, to)), b.lists.subarray(listAt(from), listAt(to)), int32s(listEnds), Buffer.from(cards.join('')), int32s(cardEnds));
  }
  throwOnError(await p.exec());
}

/** Offers `entries` ([list owner, id, score]) computed from a snapshot with `xmin` to existing lists. */
export async function mergeEntries(redis: Redis, prefix: string, entries: Iterable<[number, number, number]>, cap: number, xmin: string): Promise<void> {
  const k = keys(prefix);
  const ops: SlotOp[] = [];
  for (const [owner, id, score] of entries) ops.push([k.feed(owner), (p) => p.mmMergeEntry(k.feed(owner), k.page(owner), id, score, cap, xid20(xmin))]);
  await execBySlot(withScripts(redis), ops);
}

/** What a committed swipe or block changes in the cached lists, by the xid of its transaction. */
export type Exclusion =
  | { kind: 'like' | 'pass'; from: number; to: number; xid: string }
  | { kind: 'block'; from: number; to: number; xid: string };

/** Records exclusions on both sides (one script call per side, so each touches one slot). */
export async function recordExclusions(redis: Redis, prefix: string, events: Exclusion[]): Promise<void> {
  const k = keys(prefix);
  const ops: SlotOp[] = [];
  const mark = (uid: number, field: string, value: string) => ops.push([k.excl(uid), (p) => p.mmMark(k.excl(uid), k.page(uid), field, value)]);
  for (const e of events) {
    const x = xid20(e.xid);
    mark(e.from, `o:${e.to}`, x);
    if (e.kind === 'block') mark(e.to, `o:${e.from}`, x);
    else mark(e.to, `i:${e.from}`, `${x}:${e.kind === 'pass' ? 'p' : 'l'}`);
  }
  await execBySlot(withScripts(redis), ops);
}

/** Drops users' lists and rendered pages (they are recomputed on their next read). */
export async function dropLists(redis: Redis, prefix: string, uids: Iterable<number>): Promise<void> {
  const k = keys(prefix);
  await execBySlot(redis, [...uids].map((uid) => [k.feed(uid), (p) => p.del(k.feed(uid), k.page(uid))]));
}

export interface PageRead {
  generatedAt: number;
  complete: boolean;
  /** The asker's own card (read with the first chunk only). */
  me?: PageCard | null;
  /** The version prefix of the asker's card value as read ('' when missing): what a rendered page checks. */
  meVersion: string;
  /** The next not-excluded entries of the list, with their cards (undefined where none is cached, null for a tombstone) and the version prefix of each card value read ('' when missing). */
  entries: { id: number; score: number; card?: PageCard | null; version: string }[];
  /** Not-excluded entries left after these. */
  remaining: number;
}

const versionOf = (value: string | null | undefined) => (value ? value.slice(0, CARD_VERSION_CHARS) : '');

/**
 * A page: the list, minus its exclusions, skipping `skip` entries, the next `n` of them with their
 * cards, and (on the first read) the asker's card. On a single Redis that is one round trip (the
 * script reads the cards too). On a Redis Cluster the cards live in other slots: the script reads
 * the list and exclusions (one slot), then the cards come in one pipeline per node, in parallel.
 * A `claim` (first chunk only) reserves the user's rendered page for what is rendered from this read.
 */
export async function readPage(redis: Redis, prefix: string, uid: number, skip: number, n: number, claim = ''): Promise<PageRead | undefined> {
  const k = keys(prefix);
  const cluster = isCluster(redis);
  const r = await withScripts(redis).mmReadPage(k.feed(uid), k.excl(uid), k.page(uid), cardKeyPrefix(prefix), uid, skip, n, cluster ? '0' : '1', claim);
  if (!r) return undefined;
  const lines = (r as string).split('\n');
  const head = lines[0]!, remaining = Number(lines[1]);
  const ids: number[] = [], scores: number[] = [];
  let cards: (string | null)[] = [], me = lines[2]!;
  for (let i = 3; i + 2 < lines.length; i += 3) {
    ids.push(Number(lines[i]));
    scores.push(Number(lines[i + 1]));
    cards.push(lines[i + 2] || null);
  }
  if (cluster) {
    const cardKeys = ids.map((id) => k.card(id));
    if (skip === 0) cardKeys.push(k.card(uid));
    const values = await getMany(redis, cardKeys);
    if (skip === 0) me = values.pop() ?? '';
    cards = values;
  }
  const { generatedAt, complete } = unpackHead(head);
  return {
    generatedAt,
    complete,
    me: me ? readCard(uid, me) : undefined,
    meVersion: versionOf(me),
    entries: ids.map((id, i) => ({ id, score: scores[i]!, card: cards[i] ? readCard(id, cards[i]!) : undefined, version: versionOf(cards[i]) })),
    remaining,
  };
}
