// One policy of `npm run evaluate`, in a worker thread: the policies are independent and each is
// deterministic, so running them side by side (one per core) changes nothing but the wall time.
import { parentPort, workerData } from 'node:worker_threads';
import { createMarket, simulate, type MarketOptions } from './market.js';
import type { Weights } from '../shared/matching/score.js';

const { options, weights } = workerData as { options: MarketOptions; weights: Weights };
parentPort!.postMessage(simulate(createMarket(options), options, weights));
