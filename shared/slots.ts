// Redis Cluster rules, kept in one place: a pipeline may hold only keys whose slots live on one node,
// a script or MGET only keys of one slot. On a single Redis everything is one group (one round trip).
import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { isCluster } from './redis.js';

/** One command for execBySlot: the key it touches first (all its keys share that slot) and how to queue it. */
export type SlotOp = [key: string, add: (p: ChainableCommander) => unknown];

/**
 * Splits items by the node that serves their key's slot (by slot when the map is not known yet,
 * which is always safe). On a single Redis: one group, in the given order.
 */
export function groupBySlotOwner<T>(redis: Redis, items: T[], keyOf: (item: T) => string): T[][] {
  if (!isCluster(redis) || items.length === 0) return items.length ? [items] : [];
  const slots = (redis as unknown as Cluster).slots;
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const slot = calculateSlot(keyOf(item));
    const owner = slots[slot]?.join(';') ?? `slot:${slot}`;
    const g = groups.get(owner);
    if (g) g.push(item);
    else groups.set(owner, [item]);
  }
  return [...groups.values()];
}

/**
 * Splits items into groups for one script call each: chunks of at most `max`, and on a Redis Cluster
 * only items whose keys share a slot in one group (a script's keys must).
 */
export function groupBySlot<T>(redis: Redis, items: T[], keyOf: (item: T) => string, max: number): T[][] {
  const chunks = (list: T[]) => Array.from({ length: Math.ceil(list.length / max) }, (_, i) => list.slice(i * max, (i + 1) * max));
  if (!isCluster(redis)) return chunks(items);
  const bySlot = new Map<number, T[]>();
  for (const item of items) {
    const slot = calculateSlot(keyOf(item));
    const g = bySlot.get(slot);
    if (g) g.push(item);
    else bySlot.set(slot, [item]);
  }
  return [...bySlot.values()].flatMap(chunks);
}

/** Runs the ops in one pipeline per node (in parallel); throws the first command error. Order holds per key. */
export async function execBySlot(redis: Redis, ops: SlotOp[]): Promise<void> {
  const groups = groupBySlotOwner(redis, ops, ([key]) => key);
  const results = await Promise.all(groups.map((g) => {
    const p = redis.pipeline();
    for (const [, add] of g) add(p);
    return p.exec();
  }));
  for (const r of results) {
    const failed = r?.find(([err]) => err);
    if (failed) throw failed[0];
  }
}

/** GET of many keys, values in key order: one MGET on a single Redis, pipelined GETs per node on a cluster. */
export async function getMany(redis: Redis, keys: string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return [];
  if (!isCluster(redis)) return redis.mget(keys);
  const indexed = keys.map((key, i) => [key, i] as const);
  const values: (string | null)[] = new Array(keys.length).fill(null);
  await Promise.all(groupBySlotOwner(redis, indexed, ([key]) => key).map(async (g) => {
    const r = await g.reduce((p, [key]) => p.get(key), redis.pipeline()).exec();
    g.forEach(([, i], j) => {
      const [err, value] = r![j]!;
      if (err) throw err;
      values[i] = value as string | null;
    });
  }));
  return values;
}
