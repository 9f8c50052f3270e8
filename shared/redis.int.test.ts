// batchWrites against a real Redis: the commands of one turn of the event loop go out in one socket write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { batchWrites, createRedis } from './redis.js';
import { testRedis } from '../test/support/env.js';

let redis: Redis;
beforeAll(async () => {
  redis = createRedis(testRedis());
  await redis.ping();
});
afterAll(() => redis.quit());

/** How many socket writes (each one syscall) `issue` takes, and the replies. */
async function writesOf(issue: () => Promise<unknown>[]): Promise<{ writes: number; replies: unknown[] }> {
  const stream = redis.stream as unknown as { _write: Function; _writev?: Function };
  const write = stream._write, writev = stream._writev;
  let writes = 0;
  stream._write = function (this: unknown, ...a: unknown[]) { writes++; return write.apply(this, a); };
  if (writev) stream._writev = function (this: unknown, ...a: unknown[]) { writes++; return writev.apply(this, a); };
  try {
    const replies = await Promise.all(issue());
    return { writes, replies };
  } finally {
    stream._write = write;
    if (writev) stream._writev = writev;
  }
}

/** Eight commands, each from its own callback of the same turn, as concurrent requests issue theirs. */
const eightCallbacks = (before: () => void) => Array.from({ length: 8 }, (_, i) => new Promise((resolve, reject) => {
  process.nextTick(() => {
    before();
    redis.echo(`m${i}`).then(resolve, reject);
  });
}));

describe.runIf(testRedis().REDIS_CLUSTER === 'off')('batchWrites', () => {
  it('sends the commands of one turn in one write, and each gets its own reply', async () => {
    const batched = await writesOf(() => eightCallbacks(() => batchWrites(redis)));
    expect(batched.replies).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(batched.writes).toBe(1);
    // Without it each callback's command is a write of its own.
    expect((await writesOf(() => eightCallbacks(() => {}))).writes).toBeGreaterThan(1);
  });

  it('lets go at the end of the turn: a command of the next turn is not held', async () => {
    batchWrites(redis);
    await new Promise((resolve) => setImmediate(resolve));
    const stream = redis.stream as unknown as { writableCorked: number };
    expect(stream.writableCorked).toBe(0);
    expect(await redis.echo('next')).toBe('next');
  });
});
