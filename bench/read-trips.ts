// Single Redis: one round trip per page (the script MGETs the cards) against two (the script, then an
// MGET), as a Redis Cluster needs. Point it at a throwaway Redis: npx tsx bench/read-trips.ts redis://127.0.0.1:PORT
import { Redis } from 'ioredis';
import { cardKeyPrefix, writeCards } from '../shared/cards.js';
import { keys, withScripts, writeLists } from '../shared/feed-store.js';
const url = process.argv[2]!;
const redis = new Redis(url);
const prefix = 'trips';
const k = keys(prefix);
const N = 2000;
const profile = (id: number) => ({ id, name: `P${id}`, age: 30, height: 170, gender: 'woman' as const, interested_in: null, interests: ['hiking'], bio: 'a bio of some length '.repeat(4),
  preferred_age_min: 20, preferred_age_max: 40, preferred_height_min: 150, preferred_height_max: 190, version: 1, shown: true });
await writeCards(redis, prefix, Array.from({ length: N }, (_, i) => profile(i + 1)));
for (let u = 1; u <= N; u += 200) {
  const lists: [number, any][] = [];
  for (let v = u; v < u + 200; v++) {
    const ids = Int32Array.from({ length: 100 }, (_, j) => ((v + j * 7) % N) + 1);
    lists.push([v, { xmin: '100', ownerVersion: 1, generatedAt: Date.now(), complete: false, ids, scores: Int32Array.from(ids, (_, j) => 1000 - j) }]);
  }
  await writeLists(redis, prefix, lists);
}
async function two(uid: number) {
  const lines = ((await withScripts(redis).mmReadPage(k.feed(uid), k.excl(uid), k.page(uid), cardKeyPrefix(prefix), uid, 0, 24, '0', '')) as string).split('\n');
  const ids = lines.slice(3).filter((_, i) => i % 3 === 0).map(Number);
  return redis.mget([...ids.map((id) => k.card(id)), k.card(uid)]);
}
const one = (uid: number) => withScripts(redis).mmReadPage(k.feed(uid), k.excl(uid), k.page(uid), cardKeyPrefix(prefix), uid, 0, 24, '1', '');
async function serial(fn: (u: number) => Promise<unknown>, n: number) {
  const t: number[] = [];
  for (let i = 0; i < n; i++) { const s = process.hrtime.bigint(); await fn((i % N) + 1); t.push(Number(process.hrtime.bigint() - s) / 1e6); }
  t.sort((a, b) => a - b);
  return { median: t[n >> 1]!.toFixed(3), p99: t[Math.floor(n * 0.99)]!.toFixed(3) };
}
async function concurrent(fn: (u: number) => Promise<unknown>, n: number, c = 32) {
  let i = 0; const s = Date.now();
  await Promise.all(Array.from({ length: c }, async () => { while (i < n) await fn((i++ % N) + 1); }));
  return Math.round(n / ((Date.now() - s) / 1000));
}
for (let round = 0; round < 3; round++) {
  console.log(JSON.stringify({ round, one: await serial(one, 3000), two: await serial(two, 3000), oneRps: await concurrent(one, 10000), twoRps: await concurrent(two, 10000) }));
}
redis.disconnect();
