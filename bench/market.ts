// A simulated dating market for `npm run evaluate`: pure and seeded, so a policy's numbers replay.
//
// Each person has what no ranking can see: an attractiveness, a pickiness, a taste vector and a
// trait vector (how much u likes v's looks and manner), and an activity rate and attention span.
// What the ranking sees is what the service would: the profile (ages, heights, genders, interests),
// the swipe counters and who liked whom. Like decisions follow a logistic model whose intercept is
// calibrated so that random eligible pairs are liked at `likeRate` (40% by default).
//
// A day: overnight every present user's list is computed by the real engine (shared/matching,
// the same MatchIndex the workers and the live path use) from that night's counters; during the day
// each active user reads down their list, past anyone swiped since it was built, for as many cards
// as their attention allows, and likes or passes each. Two likes make a match. Users join over the
// month (a share on day 0), so newcomers meet an established market.
import { MatchIndex, columnsFrom, swipeViewFrom } from '../shared/matching/engine.js';
import { mutual } from '../shared/matching/compatible.js';
import { reachMoved, reachOf, reachSample } from '../shared/matching/reach.js';
import type { Weights } from '../shared/matching/score.js';
import type { Candidate } from '../shared/matching/types.js';
import { genderBit, interestMask } from '../shared/genders.js';
import { type Rng, mulberry32, syntheticProfile } from '../scripts/lib/synthetic.js';

export interface MarketOptions {
  users: number;
  days: number;
  seed: number;
  /** Share of users present on day 0; the rest join evenly over the following days. */
  initialShare: number;
  /** Length of each nightly list (cards a user can read in a day at most). */
  listSize: number;
  /** Calibration target: the like rate of random eligible pairs. */
  likeRate: number;
}

export const DEFAULT_MARKET: MarketOptions = { users: 3000, days: 30, seed: 2026, initialShare: 0.75, listSize: 30, likeRate: 0.4 };

const DIM = 4;
const TAGS = 40;
// The true model's weights (logits): looks, taste, shared interests, and fit to one's own ranges.
const LOOKS = 1.3, TASTE = 0.8, SHARED = 0.35, PER_YEAR = 0.08, PER_CM = 0.02;

export interface Person {
  c: Candidate;
  joinDay: number;
  attractiveness: number;
  pickiness: number;
  taste: Float64Array;
  traits: Float64Array;
  /** Chance of a session on a given day, and cards read per session. */
  activity: number;
  attention: number;
}

export interface Market {
  people: Person[];
  /** Calibrated intercept of the like model. */
  intercept: number;
}

const normal = (r: Rng) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Tags drawn with a Zipf-like popularity, so some interests are common and most are rare. */
function drawInterests(r: Rng): string[] {
  const n = 2 + Math.floor(r() * 6);
  const tags = new Set<string>();
  for (let i = 0; i < n; i++) tags.add(`t${Math.floor(TAGS * r() ** 2)}`);
  return [...tags];
}

export function createMarket(o: MarketOptions): Market {
  const r = mulberry32(o.seed);
  const initial = Math.round(o.users * o.initialShare);
  const people: Person[] = [];
  for (let i = 0; i < o.users; i++) {
    const p = syntheticProfile(r);
    const activityKind = r();
    people.push({
      c: {
        id: i + 1, age: p.age, height: p.height, genderBit: genderBit(p.gender), interestMask: interestMask(p.interested_in),
        ageMin: p.preferred_age_min, ageMax: p.preferred_age_max, heightMin: p.preferred_height_min, heightMax: p.preferred_height_max,
        likesGiven: 0, passesGiven: 0, likesReceived: 0, passesReceived: 0, days: 0, interests: drawInterests(r),
      },
      joinDay: i < initial ? 0 : 1 + Math.floor(((i - initial) * (o.days - 1)) / Math.max(1, o.users - initial)),
      attractiveness: normal(r),
      pickiness: 0.6 * normal(r),
      taste: Float64Array.from({ length: DIM }, () => normal(r)),
      traits: Float64Array.from({ length: DIM }, () => normal(r)),
      activity: activityKind < 0.25 ? 0.15 : activityKind < 0.7 ? 0.5 : 0.85,
      attention: Math.min(o.listSize, 4 + Math.floor(-8 * Math.log(1 - r()))),
    });
  }
  const market = { people, intercept: 0 };
  market.intercept = calibrate(market, o.likeRate, mulberry32(o.seed + 1));
  return market;
}

const shared = (u: Candidate, v: Candidate) => (v.interests ?? []).filter((t) => u.interests?.includes(t)).length;

/** The true log-odds that u likes v, without the intercept. */
export function likeLogit(u: Person, v: Person): number {
  let taste = 0;
  for (let d = 0; d < DIM; d++) taste += u.taste[d]! * v.traits[d]!;
  const ageOff = Math.abs(v.c.age - (u.c.ageMin + u.c.ageMax) / 2);
  const heightOff = Math.abs(v.c.height - (u.c.heightMin + u.c.heightMax) / 2);
  return LOOKS * v.attractiveness - u.pickiness + (TASTE * taste) / Math.sqrt(DIM) + SHARED * Math.min(3, shared(u.c, v.c)) - PER_YEAR * ageOff - PER_CM * heightOff;
}

/** The intercept at which random mutually eligible pairs are liked at `rate` (bisection). */
export function calibrate(m: Pick<Market, 'people'>, rate: number, r: Rng): number {
  const logits: number[] = [];
  const n = m.people.length;
  for (let tries = 0; logits.length < 20_000 && tries < 2_000_000; tries++) {
    const u = m.people[Math.floor(r() * n)]!, v = m.people[Math.floor(r() * n)]!;
    if (mutual(u.c, v.c)) logits.push(likeLogit(u, v));
  }
  if (!logits.length) return 0;
  let lo = -10, hi = 10;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    const mean = logits.reduce((s, l) => s + sigmoid(mid + l), 0) / logits.length;
    if (mean < rate) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Gini coefficient of non-negative values (0 = all equal, 1 = one has everything). */
export function gini(values: ArrayLike<number>): number {
  const xs = Float64Array.from(values).sort();
  const n = xs.length;
  let sum = 0, weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += xs[i]!;
    weighted += (i + 1) * xs[i]!;
  }
  return n === 0 || sum === 0 ? 0 : (2 * weighted) / (n * sum) - (n + 1) / n;
}

export interface PolicyResult {
  mutual_match_rate: number;
  exposure_gini: number;
  zero_exposure_share: number;
  /** Share of users no ranking could have shown in a week (no eligible, unswiped asker had a session). */
  unshowable_share: number;
  no_match_30d_share: number;
  like_rate: number;
  impressions: number;
  matches: number;
  newcomer_zero_exposure_share: number;
  match_gini: number;
  rank_us_per_user: number;
}

/** Runs the market for `o.days` under one ranking. The market's people are copied, not changed. */
export function simulate(market: Market, o: MarketOptions, w: Weights): PolicyResult {
  const r = mulberry32(o.seed + 2); // the same sessions and decisions' randomness for every policy
  const people = market.people.map((p) => ({ ...p, c: { ...p.c } }));
  const n = people.length;
  const idx = (id: number) => id - 1;
  const swiped = people.map(() => new Set<number>());
  const passedMe = people.map(() => [] as number[]);
  const likedMe = people.map(() => [] as number[]);
  const liked = people.map(() => new Set<number>());
  /** Whom each user passed on (they no longer see those). */
  const passedBy = people.map(() => new Set<number>());
  const impressions = new Float64Array(n);
  /** The last day someone swiped on each user (-1: nobody yet), for `idleDays`. */
  const lastSwipedOn = new Int32Array(n).fill(-1);
  const matchesOf = new Float64Array(n);
  const weeks = Math.floor(o.days / 7);
  const weekly: Float64Array[] = [];
  const firstWeek = new Float64Array(n);
  // Who could have been shown a given week: someone present, eligible for them, who had not swiped
  // on them (nor been passed by them) when the week began, had a session that week. Only they count
  // for the zero-exposure share: no ranking can show a user to people who are not there.
  const askersAtWeekStart: number[][] = [];
  const activeThisWeek = new Uint8Array(n);
  let zeroWeeks = 0, unshowable = 0;
  const closeWeek = () => {
    let showable = 0, zero = 0;
    askersAtWeekStart.forEach((askers, vi) => {
      if (!askers.some((ui) => activeThisWeek[ui])) return;
      showable++;
      if (weekly[weekly.length - 1]![vi] === 0) zero++;
    });
    zeroWeeks += zero / Math.max(1, showable);
    unshowable += 1 - showable / Math.max(1, askersAtWeekStart.filter(Boolean).length);
  };
  let shown = 0, likes = 0, matches = 0, rankMs = 0, ranked = 0;
  const ids = new Int32Array(o.listSize), scores = new Int32Array(o.listSize);

  for (let day = 0; day < o.days; day++) {
    const present = people.filter((p) => p.joinDay <= day);
    for (const p of present) {
      const last = lastSwipedOn[idx(p.c.id)]!;
      p.c.days = day - p.joinDay;
      p.c.idleDays = last < 0 ? p.c.days : day - 1 - last; // as a nightly rebuild sees it: 0 if swiped on yesterday
    }
    if (day % 7 === 0 && day + 7 <= o.days) {
      if (weekly.length) closeWeek();
      weekly.push(new Float64Array(n));
      activeThisWeek.fill(0);
      askersAtWeekStart.length = 0;
      for (const v of present) {
        const vi = idx(v.c.id);
        askersAtWeekStart[vi] = present
          .filter((u) => mutual(u.c, v.c) && !swiped[idx(u.c.id)]!.has(v.c.id) && !passedBy[vi]!.has(u.c.id))
          .map((u) => idx(u.c.id));
      }
    } else if (day === 7 * weeks && weekly.length === weeks) {
      closeWeek();
      weekly.push(new Float64Array(n)); // the days after the last full week count for nothing
    }
    const tonight = columnsFrom(present.map((p) => p.c));
    if (w.reachLog) {
      // A newcomer's reach is counted when they register, against everyone there (the API's live index).
      const joined = present.flatMap((p, k) => (p.c.reach ? [] : [k]));
      reachOf(reachSample(tonight), tonight, joined).forEach((ppm, k) => (present[joined[k]!]!.c.reach = tonight.reach[joined[k]!] = ppm));
    }
    const index = new MatchIndex(tonight, w);
    const t0 = performance.now();
    const lists = new Map<number, Int32Array>();
    for (const p of present) {
      const i = idx(p.c.id);
      const excluded = Int32Array.from([...swiped[i]!, ...passedMe[i]!]).sort();
      const likers = Int32Array.from(likedMe[i]!.filter((id) => !swiped[i]!.has(id))).sort();
      const found = index.topKInto(p.c, o.listSize, swipeViewFrom(excluded, likers), ids, scores);
      lists.set(p.c.id, ids.slice(0, found));
    }
    rankMs += performance.now() - t0;
    ranked += present.length;
    // Each rebuild counts everyone's reach again for the next one, kept where it moved (reachMoved).
    if (w.reachLog) reachOf(reachSample(tonight), tonight).forEach((ppm, k) => reachMoved(present[k]!.c.reach ?? 0, ppm) && (present[k]!.c.reach = ppm));

    // Sessions in a random order: who reads first may change what is still eligible for others.
    const order = present.map((p) => p.c.id);
    for (let j = order.length - 1; j > 0; j--) {
      const k = Math.floor(r() * (j + 1));
      [order[j], order[k]] = [order[k]!, order[j]!];
    }
    const passedToday = people.map(() => null as Set<number> | null);
    for (const uid of order) {
      const u = people[idx(uid)]!;
      const ui = idx(uid);
      if (r() >= u.activity) continue;
      activeThisWeek[ui] = 1;
      let read = 0;
      for (const vid of lists.get(uid)!) {
        if (read >= u.attention) break;
        if (swiped[ui]!.has(vid) || passedToday[ui]?.has(vid)) continue; // the read-time filter
        const v = people[idx(vid)]!;
        const vi = idx(vid);
        read++;
        shown++;
        impressions[vi]!++;
        lastSwipedOn[vi] = day;
        weekly[weekly.length - 1]![vi]!++;
        if (day - v.joinDay < 7) firstWeek[vi]!++;
        swiped[ui]!.add(vid);
        if (r() < sigmoid(market.intercept + likeLogit(u, v))) {
          likes++;
          u.c.likesGiven!++;
          v.c.likesReceived!++;
          likedMe[vi]!.push(uid);
          liked[ui]!.add(vid);
          if (liked[vi]!.has(uid)) {
            matches++;
            matchesOf[ui]!++;
            matchesOf[vi]!++;
          }
        } else {
          u.c.passesGiven!++;
          v.c.passesReceived!++;
          passedMe[vi]!.push(uid);
          passedBy[ui]!.add(vid);
          (passedToday[vi] ??= new Set()).add(uid);
        }
      }
    }
  }

  const cohort = people.map((p, i) => (p.joinDay === 0 ? i : -1)).filter((i) => i >= 0);
  if (weekly.length === weeks && o.days % 7 === 0) closeWeek();
  const newcomers = people.map((p, i) => (p.joinDay > 0 && p.joinDay + 7 <= o.days ? i : -1)).filter((i) => i >= 0);
  return {
    mutual_match_rate: round(matches / Math.max(1, shown), 5),
    exposure_gini: round(gini(cohort.map((i) => impressions[i]!)), 4),
    zero_exposure_share: round(zeroWeeks / Math.max(1, weeks), 4),
    unshowable_share: round(unshowable / Math.max(1, weeks), 4),
    no_match_30d_share: round(cohort.filter((i) => matchesOf[i] === 0).length / cohort.length, 4),
    like_rate: round(likes / Math.max(1, shown), 4),
    impressions: shown,
    matches,
    newcomer_zero_exposure_share: round(newcomers.filter((i) => firstWeek[i] === 0).length / Math.max(1, newcomers.length), 4),
    match_gini: round(gini(cohort.map((i) => matchesOf[i]!)), 4),
    rank_us_per_user: round((rankMs * 1000) / Math.max(1, ranked), 1),
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
