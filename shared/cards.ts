// Cards in Redis: what a cached page shows of a person and what its read-time check needs.
// A value is the user's version (users.version, 12 digits) then JSON; writes are newer-wins on it,
// so a rebuild partition that read a profile before a change can never put the old card back.
// A deleted user's card becomes a tombstone with the highest version, which nothing overwrites.
import type { Redis, Result } from 'ioredis';
import { genderBit, interestMask } from './genders.js';
import type { Candidate } from './matching/types.js';
import { execBySlot, type SlotOp } from './slots.js';
import type { Card, Profile } from './profile.js';

export interface CachedCard {
  card: Card;
  m: Candidate;
  /** Shown to others (not paused, not suspended). */
  s: boolean;
}

const VERSION = 12;
const TOMBSTONE = `${'9'.repeat(VERSION)}null`;
/** Long enough to outlast any rebuild that read the user before they were erased. */
const TOMBSTONE_TTL_S = 7 * 24 * 3600;

/** A profile with what the card's version and visibility come from. */
export type CardSource = Profile & { version: number; shown: boolean };

export function cardValue(p: CardSource): string {
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
  return String(p.version).padStart(VERSION, '0') + JSON.stringify({ card, m, s: p.shown });
}

/** A stored value as a card; null for a tombstone (the user was erased). */
export function parseCard(value: string): CachedCard | null {
  return JSON.parse(value.slice(VERSION)) as CachedCard | null;
}

const SET_CARD_IF_NEWER = `
local old = redis.call('GET', KEYS[1])
if old and string.sub(old, 1, ${VERSION}) > string.sub(ARGV[1], 1, ${VERSION}) then return 0 end
if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    mmSetCardIfNewer(cardKey: string, value: string, ttlSeconds: number): Result<number, Context>;
  }
}

const scripted = new WeakSet<Redis>();
function withScript(redis: Redis): Redis {
  if (!scripted.has(redis)) {
    redis.defineCommand('mmSetCardIfNewer', { numberOfKeys: 1, lua: SET_CARD_IF_NEWER });
    scripted.add(redis);
  }
  return redis;
}

const cardKey = (prefix: string, id: number) => `${prefix}:card:${id}`;

// Each card has its own slot: on a Redis Cluster, execBySlot sends one pipeline per node.
export async function writeCards(redis: Redis, prefix: string, cards: Iterable<CardSource>): Promise<void> {
  const ops = [...cards].map((c) => [cardKey(prefix, c.id), (p) => p.mmSetCardIfNewer(cardKey(prefix, c.id), cardValue(c), 0)] as SlotOp);
  await execBySlot(withScript(redis), ops);
}

/** Erased users: their cards become tombstones, so no cached page can show them again. */
export async function buryCards(redis: Redis, prefix: string, ids: Iterable<number>): Promise<void> {
  const ops = [...ids].map((id) => [cardKey(prefix, id), (p) => p.mmSetCardIfNewer(cardKey(prefix, id), TOMBSTONE, TOMBSTONE_TTL_S)] as SlotOp);
  await execBySlot(withScript(redis), ops);
}
