// Model-based test of the whole feed: fast-check interleaves registrations, preference changes,
// likes, passes, list refreshes, rebuild partitions (their snapshot read and their write apart, so
// changes land in between) and incremental passes, against an in-memory oracle of the contract.
// Every page must hold only eligible people, best first, and as many as there are (up to the limit);
// a live page must equal the oracle; after a full rebuild every cached page must equal it too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TestApi, createTestApi } from '../test/support/api.js';
import { type World, eligible, expectedApiPage, expectedPage } from '../test/support/feed-oracle.js';
import { readPartition, type PartitionData } from '../worker/partition-data.js';
import { incrementalProcessor } from '../worker/processors/incremental.js';
import { rankAndWrite } from '../worker/processors/rebuild-partition.js';
import { rows } from './db.js';
import { refreshUserList } from './feed.js';
import { type Gender, genderBit, interestMask } from './genders.js';
import type { Candidate } from './matching/types.js';
import { type Cell, planPartitions } from './rebuild-plan.js';

interface Model {
  users: Map<number, Candidate>;
  swipes: Map<string, 'like' | 'pass'>;
  matched: Set<string>;
  tokens: Map<number, string>;
}
interface Real {
  t: TestApi;
  pending: PartitionData[];
}

const world = (m: Model): World => ({ users: [...m.users.values()], swipes: m.swipes, matched: m.matched });
const pairKey = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
const nth = (m: Model, i: number) => [...m.users.keys()][i % m.users.size]!;
const store = (t: TestApi) => ({ live: t.deps.live, redis: t.deps.redis, prefix: t.config.REDIS_PREFIX, cacheSize: t.config.FEED_CACHE_SIZE });

/** The reach stored with a profile write (counted against the live index; reach.test.ts checks the counting): an input every path ranks with. */
const storedReach = async (t: TestApi, id: number) =>
  ((await t.db.query('select reach_ppm from swipe_counts where user_id = $1', [id])).rows[0]?.reach_ppm as number | undefined) ?? 0;

const candidateOf = (u: any): Candidate => ({
  id: u.id, age: u.age, height: u.height, genderBit: genderBit(u.gender), interestMask: interestMask(u.interested_in),
  ageMin: u.preferred_age_min, ageMax: u.preferred_age_max, heightMin: u.preferred_height_min, heightMax: u.preferred_height_max,
});

// A small world where most people fit each other, so that pages are full and swipes matter.
const genders = fc.constantFrom<Gender | null>('woman', 'man', 'nonbinary', null);
const interested = fc.option(fc.subarray(['woman', 'man', 'nonbinary'] as Gender[], { minLength: 1 }), { nil: undefined, freq: 2 });
// Mostly wide ranges (around everyone's 28-32 and 168-176), sometimes one that leaves people out.
const range = (lo: number, mid: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: mid }), fc.integer({ min: mid, max: hi })).map(([a, b]) => [a, b] as const);
const profile = fc.record({
  age: fc.integer({ min: 28, max: 32 }), height: fc.integer({ min: 168, max: 176 }), gender: genders, interested_in: interested,
  ages: range(25, 29, 34), heights: range(160, 169, 185),
}).map((p) => ({
  name: 'P', age: p.age, height: p.height, ...(p.gender ? { gender: p.gender } : {}), ...(p.interested_in ? { interested_in: p.interested_in } : {}),
  preferred_age_min: p.ages[0], preferred_age_max: p.ages[1], preferred_height_min: p.heights[0], preferred_height_max: p.heights[1],
}));

class Register implements fc.AsyncCommand<Model, Real> {
  constructor(readonly p: ReturnType<typeof profile.generate>['value']) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const u = await r.t.register(this.p as any);
    m.users.set(u.id, { ...candidateOf(u.user), reach: await storedReach(r.t, u.id) });
    m.tokens.set(u.id, u.token);
  }
  toString = () => `register(${JSON.stringify(this.p)})`;
}

class UpdatePrefs implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly ages: readonly [number, number], readonly g: Gender[] | null) {}
  check = (m: Readonly<Model>) => m.users.size > 0;
  async run(m: Model, r: Real) {
    const id = nth(m, this.i);
    const res = await r.t.call('PUT', `/update_preferences/${id}`, {
      token: m.tokens.get(id), body: { preferred_age_min: this.ages[0], preferred_age_max: this.ages[1], interested_in: this.g },
    });
    expect(res.status).toBe(200);
    m.users.set(id, { ...candidateOf(res.body.user), reach: await storedReach(r.t, id) });
  }
  toString = () => `prefs(#${this.i}, ${this.ages}, ${this.g})`;
}

class Swipe implements fc.AsyncCommand<Model, Real> {
  constructor(readonly kind: 'like' | 'pass', readonly i: number, readonly j: number) {}
  check = (m: Readonly<Model>) => m.users.size > 1 && nth(m as Model, this.i) !== nth(m as Model, this.j);
  async run(m: Model, r: Real) {
    const [u, v] = [nth(m, this.i), nth(m, this.j)];
    const res = await r.t.call('POST', `/${this.kind === 'like' ? 'like' : 'unlike'}/${u}/${v}`, { token: m.tokens.get(u) });
    expect(res.status).toBeLessThan(300);
    m.swipes.set(`${u}>${v}`, this.kind);
    if (this.kind === 'pass') m.matched.delete(pairKey(u, v));
    else if (m.swipes.get(`${v}>${u}`) === 'like') {
      expect(res.body.matched).toBe(true);
      m.matched.add(pairKey(u, v));
    } else expect(res.body.matched).toBe(false);
    // Swipes take effect at once, on both sides' next pages.
    // (Limit 1: the page a cached list can serve even when it ran short.)
    await readAndCheck(m, r, u, 1);
    await readAndCheck(m, r, v, 1);
  }
  toString = () => `${this.kind}(#${this.i}, #${this.j})`;
}

class Refresh implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.users.size > 0;
  async run(m: Model, r: Real) {
    await refreshUserList(store(r.t), nth(m, this.i));
  }
  toString = () => `refresh(#${this.i})`;
}

/** A partition's snapshot read; its write comes later, with other commands in between. */
class PartitionRead implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.users.size > 0;
  async run(_m: Model, r: Real) {
    // Half the time everyone in one partition, so that a later swipe lands inside a pending one.
    const plan = planPartitions(await rows<Cell>(r.t.db, 'population_cells'), this.i % 2 ? 1 : 3);
    r.pending.push(await readPartition(r.t.db, plan[(this.i >> 1) % plan.length]!));
  }
  toString = () => `partitionRead(${this.i})`;
}

class PartitionWrite implements fc.AsyncCommand<Model, Real> {
  constructor(readonly newest: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const data = this.newest ? r.pending.pop() : r.pending.shift();
    if (!data) return;
    await rankAndWrite(store(r.t), data);
    // What changed since the partition's snapshot must still show on its members' cached pages.
    for (const id of data.memberIds) if (m.users.has(id)) await readAndCheck(m, r, id, 1);
  }
  toString = () => `partitionWrite(${this.newest ? 'newest' : 'oldest'})`;
}

class Incremental implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(_m: Model, r: Real) {
    await incrementalProcessor({ ...store(r.t), db: r.t.db })({} as any);
  }
  toString = () => 'incremental';
}

const seen = { cache: 0, live: 0 };

async function readAndCheck(m: Model, r: Real, id: number, limit: number) {
  const res = await r.t.call('GET', `/potential_matches/${id}?limit=${limit}`, { token: m.tokens.get(id) });
  expect(res.status).toBe(200);
  seen[res.body.source as 'cache' | 'live']++;
  const w = world(m);
  const me = m.users.get(id)!;
  const got = res.body.potential_matches as { id: number; score: number }[];
  const expected = expectedApiPage(w, me, limit); // the API's scores are ranks
  for (const c of got) expect(eligible(w, me, m.users.get(c.id)!), `${c.id} on ${id}'s ${res.body.source} page`).toBe(true);
  expect(got.length, `${id}'s ${res.body.source} page length`).toBe(expected.length);
  for (let k = 1; k < got.length; k++) expect(got[k - 1]!.score).toBeGreaterThanOrEqual(got[k]!.score);
  if (res.body.source === 'live') expect(got.map((c) => ({ id: c.id, score: c.score }))).toEqual(expected);
  return { source: res.body.source as string, got, expected };
}

class ReadPage implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly limit: number) {}
  check = (m: Readonly<Model>) => m.users.size > 0;
  async run(m: Model, r: Real) {
    // The first read of a missing list fills it in the background; the second may be served from it.
    await readAndCheck(m, r, nth(m, this.i), this.limit);
    await new Promise((done) => setTimeout(done, 5));
    await readAndCheck(m, r, nth(m, this.i), this.limit);
    // Asked again at once: a cached page usually comes back rendered (rendered-pages.ts), checked the same.
    await readAndCheck(m, r, nth(m, this.i), this.limit);
  }
  toString = () => `page(#${this.i}, ${this.limit})`;
}

const commands = [
  profile.map((p) => new Register(p)),
  fc.tuple(fc.nat(), range(26, 30, 34), fc.option(fc.subarray(['woman', 'man', 'nonbinary'] as Gender[], { minLength: 1 }), { nil: null }))
    .map(([i, a, g]) => new UpdatePrefs(i, a, g)),
  fc.tuple(fc.constantFrom<'like' | 'pass'>('like', 'pass'), fc.nat(), fc.nat()).map(([k, i, j]) => new Swipe(k, i, j)),
  fc.nat().map((i) => new Refresh(i)),
  fc.nat().map((i) => new PartitionRead(i)),
  fc.boolean().map((b) => new PartitionWrite(b)),
  fc.constant(new Incremental()),
];
const readPage = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })).map(([i, l]) => new ReadPage(i, l));
// Pages are read about as often as everything else is done.
const weighted = [...commands, readPage, readPage, readPage, readPage, readPage, readPage];

describe('feed model', () => {
  it('every page agrees with the oracle, whatever the interleaving', { timeout: 240_000 }, async () => {
    let cachedPages = 0, rendered = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(profile, { minLength: 6, maxLength: 12 }), fc.commands(weighted, { maxCommands: 60, size: 'large' }), async (initial, cmds) => {
        const t = await createTestApi();
        try {
          const m: Model = { users: new Map(), swipes: new Map(), matched: new Set(), tokens: new Map() };
          const r: Real = { t, pending: [] };
          for (const p of initial) await new Register(p).run(m, r);
          await fc.asyncModelRun(() => ({ model: m, real: r }), cmds);
          // A full rebuild from now: every cached page equals the oracle.
          await incrementalProcessor({ ...store(t), db: t.db })({} as any);
          for (const p of planPartitions(await rows<Cell>(t.db, 'population_cells'), 3)) await rankAndWrite(store(t), await readPartition(t.db, p));
          for (const id of m.users.keys()) {
            const n = expectedPage(world(m), m.users.get(id)!, 100).length;
            if (n === 0) continue;
            const { source, got, expected } = await readAndCheck(m, r, id, n);
            expect(source, `${id}'s page after the rebuild`).toBe('cache');
            expect(got.map((c) => ({ id: c.id, score: c.score }))).toEqual(expected);
            cachedPages++;
          }
          rendered += (await t.deps.metrics.feedPages.get()).values.find((v) => v.labels.source === 'rendered')?.value ?? 0;
        } finally {
          await t.close();
        }
      }),
      { numRuns: Number(process.env.MODEL_RUNS ?? 20), endOnFailure: true },
    );
    console.log(`feed model: ${JSON.stringify(seen)} pages checked, ${rendered} of them served rendered, ${cachedPages} cached pages after a rebuild`);
    expect(cachedPages).toBeGreaterThan(0);
    expect(rendered).toBeGreaterThan(0);
  });
});
