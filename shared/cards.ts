// Cards in Redis: what a cached page shows of a person and what its read-time check needs.
// A value is the user's version (users.version, 12 digits), then what the check needs in 21
// characters (shown: 1/0, gender bit and interest mask as one hex digit each, age, height and the
// four preferred_* bounds as 3 digits each), then the public card as JSON, exactly as the API shows
// it (no score): a page is assembled from these strings as they are, never parsed and serialised
// again. About 100 bytes leaner than a JSON object of both, which at a million users is a Redis
// allocation class per card. Writes are newer-wins on the version, so
// a rebuild partition that read a profile before a change can never put the old card back.
// A deleted user's card becomes a tombstone with the highest version, which nothing overwrites.
import type { Redis, Result } from 'ioredis';
import { genderBit, interestMask } from './genders.js';
import type { Candidate } from './matching/types.js';
import { DROP_READERS_LUA, pageKeyPrefix } from './page-readers.js';
import { isCluster } from './redis.js';
import { execBySlot, groupBySlot, type SlotOp } from './slots.js';
import type { Card, Profile } from './profile.js';

export interface CachedCard {
  card: Card;
  m: Candidate;
  /** Shown to others (not paused, not suspended). */
  s: boolean;
}

const VERSION = 12;
/** How many leading characters of a card value are its version (compared as a string). */
export const CARD_VERSION_CHARS = VERSION;
const CHECK = VERSION + 21;
const TOMBSTONE = `${'9'.repeat(VERSION)}null`;
/** Long enough to outlast any rebuild that read the user before they were erased. */
const TOMBSTONE_TTL_S = 7 * 24 * 3600;

/** A profile with what the card's version and visibility come from. */
export type CardSource = Profile & { version: number; shown: boolean };

/** What the read-time check needs: the gender bit, the interest mask, age, height and the four preferred_* bounds. */
export type CardCheck = Pick<Candidate, 'genderBit' | 'interestMask' | 'age' | 'height' | 'ageMin' | 'ageMax' | 'heightMin' | 'heightMax'>;

/** A card as a page needs it: the check (with the id), visibility, and the public card's JSON. */
export interface PageCard {
  m: Candidate;
  /** Shown to others (not paused, not suspended). */
  s: boolean;
  json: string;
}

const d3 = (n: number) => String(n).padStart(3, '0');

/** A card's stored value from its parts; `cardJson` is JSON.stringify of the public card. */
export function packCard(version: number, shown: boolean, m: CardCheck, cardJson: string): string {
  return String(version).padStart(VERSION, '0') + (shown ? '1' : '0') + m.genderBit.toString(16) + m.interestMask.toString(16)
    + d3(m.age) + d3(m.height) + d3(m.ageMin) + d3(m.ageMax) + d3(m.heightMin) + d3(m.heightMax) + cardJson;
}

export function cardValue(p: CardSource): string {
  const card: Card = { id: p.id, name: p.name, age: p.age, height: p.height, gender: p.gender, bio: p.bio, interests: p.interests };
  const m = {
    genderBit: genderBit(p.gender), interestMask: interestMask(p.interested_in), age: p.age, height: p.height,
    ageMin: p.preferred_age_min, ageMax: p.preferred_age_max, heightMin: p.preferred_height_min, heightMax: p.preferred_height_max,
  };
  return packCard(p.version, p.shown, m, JSON.stringify(card));
}

const isTombstone = (value: string) => value.length === TOMBSTONE.length && value === TOMBSTONE;
const d3At = (value: string, at: number) => Number(value.slice(at, at + 3));

/** A stored value as a page uses it, without parsing the card's JSON; null for a tombstone. */
export function readCard(id: number, value: string): PageCard | null {
  if (isTombstone(value)) return null;
  const m: Candidate = {
    id, age: d3At(value, VERSION + 3), height: d3At(value, VERSION + 6),
    genderBit: parseInt(value[VERSION + 1]!, 16), interestMask: parseInt(value[VERSION + 2]!, 16),
    ageMin: d3At(value, VERSION + 9), ageMax: d3At(value, VERSION + 12), heightMin: d3At(value, VERSION + 15), heightMax: d3At(value, VERSION + 18),
  };
  return { m, s: value[VERSION] === '1', json: value.slice(CHECK) };
}

/** A stored value as a card; null for a tombstone (the user was erased). */
export function parseCard(value: string): CachedCard | null {
  if (isTombstone(value)) return null;
  const card = JSON.parse(value.slice(CHECK)) as Card;
  const { m, s } = readCard(card.id, value)!;
  return { card, m, s };
}

// Cards one by one, each only over an older version. KEYS: the cards (one slot per call on a Redis
// Cluster); ARGV[1]: a TTL in seconds (0: none), ARGV[2]: the rendered pages' key prefix on a single
// Redis ('' on a Redis Cluster, which keeps no reader sets), then the values. Only the old version is
// read (GETRANGE). A card whose version changes takes its readers' rendered pages with it (page-readers.ts).
const SET_CARDS_IF_NEWER = `${DROP_READERS_LUA}
local ttl, pages, written = ARGV[1], ARGV[2], 0
for i = 1, #KEYS do
  local new = ARGV[i + 2]
  local old = redis.call('GETRANGE', KEYS[i], 0, ${VERSION - 1})
  local version = string.sub(new, 1, ${VERSION})
  if old == '' or old <= version then
    if ttl == '0' then redis.call('SET', KEYS[i], new) else redis.call('SET', KEYS[i], new, 'EX', ttl) end
    if pages ~= '' and old ~= version then dropReaders(KEYS[i], pages) end
    written = written + 1
  end
end
return written`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    mmSetCardsIfNewer(numKeys: number, ...keysTtlValues: (string | number)[]): Result<number, Context>;
  }
}

const scripted = new WeakSet<Redis>();
function withScript(redis: Redis): Redis {
  if (!scripted.has(redis)) {
    redis.defineCommand('mmSetCardsIfNewer', { lua: SET_CARDS_IF_NEWER });
    scripted.add(redis);
  }
  return redis;
}

/**
 * Card keys: <prefix>:card2:<id>. The 2 is this layout's (the check prefix and the bare card JSON): a Redis written by
 * an older version is never misread, and its old card:<id> keys can be deleted (README, Upgrading).
 */
export const CARD_SEGMENT = 'card2';
export const cardKeyPrefix = (prefix: string) => `${prefix}:${CARD_SEGMENT}:`;
export const cardKey = (prefix: string, id: number) => `${cardKeyPrefix(prefix)}${id}`;
/** Cards per script call (each holds Redis for its length). */
const CARDS_PER_CALL = 250;

/** Writes stored card values ([id, value]) newer-wins: one script call per batch, or per slot on a Redis Cluster. */
export async function writeCardValues(redis: Redis, prefix: string, values: Iterable<[number, string]>, ttlSeconds = 0): Promise<void> {
  const items = Array.from(values, ([id, value]): [string, string] => [cardKey(prefix, id), value]);
  const pages = isCluster(redis) ? '' : pageKeyPrefix(prefix);
  const ops: SlotOp[] = groupBySlot(redis, items, (item) => item[0], CARDS_PER_CALL).map((group) => [
    group[0]![0],
    (p) => p.mmSetCardsIfNewer(group.length, ...group.map((item) => item[0]), ttlSeconds, pages, ...group.map((item) => item[1])),
  ]);
  await execBySlot(withScript(redis), ops);
}

export async function writeCards(redis: Redis, prefix: string, cards: Iterable<CardSource>): Promise<void> {
  await writeCardValues(redis, prefix, Array.from(cards, (c): [number, string] => [c.id, cardValue(c)]));
}

/** Erased users: their cards become tombstones, so no cached page can show them again. */
export async function buryCards(redis: Redis, prefix: string, ids: Iterable<number>): Promise<void> {
  await writeCardValues(redis, prefix, Array.from(ids, (id): [number, string] => [id, TOMBSTONE]), TOMBSTONE_TTL_S);
}
