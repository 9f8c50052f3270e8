// The live path alone (no HTTP: the in-process index plus its two Postgres reads): sequential
// latency over the sample, then throughput with 16 clients, read against PERFORMANCE.md's best SQL
// (nearest-neighbour GiST: 0.28 ms median at 1M users).
import { liveFeed } from '../shared/feed-live.js';
import type { LiveIndex } from '../shared/live-index.js';
import { type Latency, type Row, closedLoop, int, latency, spread } from './stats.js';

export interface LiveSql {
  rows: Row[];
  latency: Latency;
  /** Each sampled user's top 20 ids, to check the baseline query against. */
  topIds: Map<number, number[]>;
}

const CLIENTS = 16;

export async function benchLiveSql(db: LiveIndex, userIds: number[], seconds: number): Promise<LiveSql> {
  for (const id of userIds.slice(0, 100)) await liveFeed(db, id, 20); // warm-up: plan cache, buffers

  const times: number[] = [];
  const topIds = new Map<number, number[]>();
  let empty = 0;
  for (const id of userIds) {
    const t0 = performance.now();
    const cards = (await liveFeed(db, id, 20))!;
    times.push(performance.now() - t0);
    topIds.set(id, cards.map((c) => c.id));
    if (cards.length < 20) empty++;
  }
  const seq = latency(times);

  const started = performance.now();
  const done = await closedLoop(userIds, CLIENTS, userIds.length * 5, started + seconds * 1000, async (id) => {
    await liveFeed(db, id, 20);
  });
  const perSecond = done / ((performance.now() - started) / 1000);

  return {
    latency: seq,
    topIds,
    rows: [
      {
        name: 'live path: liveFeed(20), sequential',
        value: `${seq.p50.toFixed(2)} ms median`,
        note: `p50/p90/p99/max ${spread(seq, true)}; ${int(seq.n)} users, ${int(empty)} with under 20 cards (PERFORMANCE.md, 1M users: 0.28 / 0.49 / 3.1 / 255 ms)`,
      },
      {
        name: `live path: liveFeed(20), ${CLIENTS} clients`,
        value: `${int(perSecond)} queries/s`,
        note: `${int(done)} queries (PERFORMANCE.md, 1M users: 4.2k/s)`,
      },
    ],
  };
}
