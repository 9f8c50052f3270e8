// A seeded, realistic synthetic population and swipe history for `npm run seed`. Pure (no I/O), so
// a population is replayed from its seed and its shape is tested without a database.
import { GENDERS, type Gender, genderBit, interestMask } from '../../shared/genders.js';

export type Rng = () => number;

/** mulberry32: small, fast and good enough for test data. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** A standard normal draw (Box-Muller). */
const normal = (r: Rng) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

export interface SyntheticProfile {
  name: string;
  age: number;
  height: number;
  gender: Gender | null;
  interested_in: Gender[] | null;
  preferred_age_min: number;
  preferred_age_max: number;
  preferred_height_min: number;
  preferred_height_max: number;
  bio: string | null;
}

const words = (s: string) => s.split(' ');
const NAMES: Record<Gender | 'none', readonly string[]> = {
  woman: words('Emma Olivia Sophie Mia Chloé Hannah Lea Zoe Amara Priya Sofia Lucía Yuki Aisha Nora Ingrid Maya Fatima Grace Anna'),
  man: words('Liam Noah Lucas Mateo Ethan Omar Jonas Arjun Hugo Kenji Samuel Luca David Kwame Felix Diego Ali Théo Oscar Leon'),
  nonbinary: words('Alex Sam Robin Charlie Kai River Jordan Quinn Ash Sasha'),
  none: words('Alex Taylor Jamie Morgan Casey Riley Avery Eden'),
};
const INTROS = ['Coffee first, then adventures.', 'New in town.', 'Weekend hiker, weekday engineer.', 'Nurse on nights, human by day.',
  'Teacher & amateur baker.', 'Just moved back from abroad.', 'Dog person 🐕', 'Bookworm with a camera.'];
const LIKES = words('music walks games cooking climbing cinema cycling travel yoga food museums running gardening jazz football sailing');
const OUTROS = ['Tell me your favourite book.', "Let's grab a drink.", 'Swipe right if you like puns.', 'Looking for something real.', ''];

// Mean and spread of heights (cm) by stated gender; the not-stated share the nonbinary figures.
const HEIGHT: Record<Gender | 'none', [number, number]> = { woman: [165, 7], man: [178, 7], nonbinary: [171, 9], none: [171, 9] };

function gender(r: Rng): Gender | null {
  const x = r();
  return x < 0.48 ? 'woman' : x < 0.96 ? 'man' : x < 0.99 ? 'nonbinary' : null;
}

/** 18 to 70, skewed young: 18 + a log-normal with median 12, so ~80% fall in 22-40. */
function age(r: Rng): number {
  for (;;) {
    const a = 18 + Math.floor(Math.exp(Math.log(12) + 0.6 * normal(r)));
    if (a <= 70) return a;
  }
}

/** ~88% straight, ~6% gay or lesbian, ~5% bi, ~1% open to all; no "straight" for the rest. */
function interests(r: Rng, g: Gender | null): Gender[] | null {
  const x = r();
  if (g === 'woman' || g === 'man') {
    if (x < 0.88) return [g === 'woman' ? 'man' : 'woman'];
    if (x < 0.94) return [g];
    if (x < 0.99) return r() < 0.8 ? ['woman', 'man'] : [...GENDERS];
    return null;
  }
  return x < 0.4 ? null : x < 0.7 ? [...GENDERS] : x < 0.85 ? ['woman'] : ['man'];
}

function bio(r: Rng): string | null {
  if (r() >= 0.6) return null;
  const outro = pick(r, OUTROS);
  return `${pick(r, INTROS)} Into ${pick(r, LIKES)} and ${pick(r, LIKES)}.${outro ? ` ${outro}` : ''}`;
}

export function syntheticProfile(r: Rng): SyntheticProfile {
  const g = gender(r);
  const key = g ?? 'none';
  const a = age(r);
  const [hMean, hSd] = HEIGHT[key];
  const height = Math.round(clamp(hMean + hSd * normal(r), 140, 210));
  const interested_in = interests(r, g);
  // Ages: ~9 years wide around one's own; men lean younger (more so with age), women older.
  const ageWidth = clamp(Math.round(9 + 3 * normal(r)), 2, 30);
  const lean = g === 'man' ? -1 - 0.1 * (a - 18) : g === 'woman' ? 1 + 0.05 * (a - 18) : 0;
  const ageMin = clamp(Math.round(a + lean + 2 * normal(r) - ageWidth / 2), 18, 120);
  // Heights: ~35 cm wide, centred between the wanted genders' mean and one's own height; women
  // lean taller, men shorter.
  const wanted: readonly Gender[] = interested_in ?? GENDERS;
  const wantedMean = wanted.reduce((s, w) => s + HEIGHT[w][0], 0) / wanted.length;
  const tilt = g === 'woman' ? 6 : g === 'man' ? -6 : 0;
  const heightWidth = clamp(Math.round(35 + 8 * normal(r)), 10, 80);
  const centre = (wantedMean + height) / 2 + tilt + 4 * normal(r);
  const heightMin = clamp(Math.round(centre - heightWidth / 2), 100, 250);
  return {
    name: `${pick(r, NAMES[key])} ${String.fromCharCode(65 + Math.floor(r() * 26))}.`,
    age: a,
    height,
    gender: g,
    interested_in,
    preferred_age_min: ageMin,
    preferred_age_max: Math.min(120, ageMin + ageWidth),
    preferred_height_min: heightMin,
    preferred_height_max: Math.min(250, heightMin + heightWidth),
    bio: bio(r),
  };
}

/** `count` profiles from `seed`, generated one at a time so a million never sit in memory together. */
export function* syntheticProfiles(seed: number, count: number): Generator<SyntheticProfile> {
  const r = mulberry32(seed);
  for (let i = 0; i < count; i++) yield syntheticProfile(r);
}

/** What the swipe generator needs of each profile, packed: 8 bytes a user (ages and heights fit a byte). */
export class Traits {
  readonly v: Uint8Array;
  constructor(readonly count: number) {
    this.v = new Uint8Array(count * 8);
  }

  set(i: number, p: SyntheticProfile): void {
    this.v.set([p.age, p.height, genderBit(p.gender), interestMask(p.interested_in),
      p.preferred_age_min, p.preferred_age_max, p.preferred_height_min, p.preferred_height_max], i * 8);
  }

  /** `b` fits what `a` asked for (one direction), as in shared/matching/compatible.ts. */
  wants(a: number, b: number): boolean {
    const v = this.v, x = a * 8, y = b * 8;
    return v[y] >= v[x + 4] && v[y] <= v[x + 5] && v[y + 1] >= v[x + 6] && v[y + 1] <= v[x + 7] && (v[x + 3] & v[y + 2]) !== 0;
  }

  mutual(a: number, b: number): boolean {
    return a !== b && this.wants(a, b) && this.wants(b, a);
  }

  static of(profiles: readonly SyntheticProfile[]): Traits {
    const t = new Traits(profiles.length);
    profiles.forEach((p, i) => t.set(i, p));
    return t;
  }
}

export interface SwipeOptions {
  /** Average swipes per user, replies included. */
  perUser?: number;
  likeRate?: number;
  /** Share of likes that the liked person answers (a like back makes a match). */
  replyRate?: number;
  /** Random draws per swipe to find someone who fits both ways; a user nobody fits swipes less. */
  fitTries?: number;
}

/** Swipes and matches by population index (0-based; add the first id to get user ids). */
export interface SwipeHistory {
  swiper: Int32Array;
  swipee: Int32Array;
  /** 1 = like, 0 = pass. */
  like: Uint8Array;
  /** Pairs of indices, smaller first, one per mutual like. */
  matchLow: Int32Array;
  matchHigh: Int32Array;
}

/** A growable Int32Array: a million users' swipes without an array of objects. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  view = () => this.data.slice(0, this.length);
}

/**
 * Draws people of a gender `u` wants who want `u`'s gender: users grouped by (gender bit, interest
 * mask), then one drawn uniformly over the groups that fit. Without it a gay man's random draws
 * would almost all miss and minorities would barely swipe.
 */
function drawer(t: Traits, r: Rng): (u: number) => number {
  const key = (i: number) => (t.v[i * 8 + 2] << 4) | t.v[i * 8 + 3];
  const start = new Int32Array(257); // group k holds order[start[k] .. start[k + 1])
  for (let i = 0; i < t.count; i++) start[key(i) + 1]++;
  for (let k = 1; k <= 256; k++) start[k] += start[k - 1];
  const order = new Int32Array(t.count);
  const fill = start.slice(0, 256);
  for (let i = 0; i < t.count; i++) order[fill[key(i)]++] = i;
  const size = (k: number) => start[k + 1] - start[k];
  const pools = new Map<number, { groups: number[]; total: number }>();
  const poolOf = (uk: number) => {
    let pool = pools.get(uk);
    if (!pool) {
      const groups = [];
      for (let k = 0; k < 256; k++) if (uk & 15 & (k >> 4) && k & 15 & (uk >> 4) && size(k) > 0) groups.push(k);
      pool = { groups, total: groups.reduce((s, k) => s + size(k), 0) };
      pools.set(uk, pool);
    }
    return pool;
  };
  return (u) => {
    const pool = poolOf(key(u));
    let x = Math.floor(r() * pool.total);
    for (const k of pool.groups) {
      if (x < size(k)) return order[start[k] + x];
      x -= size(k);
    }
    return u; // nobody of a wanted kind: the caller's fit check rejects oneself
  };
}

function poisson(r: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = r(); p > limit; p *= r()) k++;
  return k;
}

/**
 * Each user swipes on a few people drawn at random among those who fit both ways (as the feed
 * would show them), then some of the liked answer: that second pass is what makes matches, since two
 * random picks in a million almost never meet. One swipe per ordered pair, never oneself.
 */
export function syntheticSwipes(t: Traits, seed: number, opts: SwipeOptions = {}): SwipeHistory {
  const { perUser = 2, likeRate = 0.45, replyRate = 0.3, fitTries = 100 } = opts;
  const r = mulberry32(seed ^ 0x5a1e5eed);
  const n = t.count;
  const head = new Int32Array(n).fill(-1); // each swiper's latest swipe; `next` chains the earlier ones
  const [swiper, swipee, kind, next, low, high] = Array.from({ length: 6 }, () => new IntList());
  const find = (a: number, b: number) => {
    for (let j = head[a]; j >= 0; j = next.data[j]) if (swipee.data[j] === b) return j;
    return -1;
  };
  const add = (a: number, b: number, like: boolean) => {
    if (a === b || find(a, b) >= 0) return;
    next.push(head[a]);
    head[a] = swiper.length;
    swiper.push(a), swipee.push(b), kind.push(like ? 1 : 0);
    const back = like ? find(b, a) : -1;
    if (back >= 0 && kind.data[back] === 1) low.push(Math.min(a, b)), high.push(Math.max(a, b));
  };
  // Replies add likeRate * replyRate swipes per first swipe: scale the first ones to keep `perUser`.
  const first = perUser / (1 + likeRate * replyRate);
  const draw = drawer(t, r);
  for (let u = 0; u < n; u++) {
    for (let k = poisson(r, first); k > 0; k--) {
      for (let tries = 0; tries < fitTries; tries++) {
        const v = draw(u);
        if (t.mutual(u, v) && find(u, v) < 0) {
          add(u, v, r() < likeRate);
          break;
        }
      }
    }
  }
  for (let j = 0, end = swiper.length; j < end; j++) {
    if (kind.data[j] === 1 && r() < replyRate) add(swipee.data[j], swiper.data[j], r() < 0.5); // answers lean kinder than first swipes
  }
  return { swiper: swiper.view(), swipee: swipee.view(), like: Uint8Array.from(kind.view()), matchLow: low.view(), matchHigh: high.view() };
}
