// Loading the live index: one snapshot (the watermark) and everyone who may be shown, as a built MatchIndex.
// At a million users building takes over a second of CPU, so the API does it in a worker thread
// (below) and only swaps the result in: requests never wait behind it.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { candidateOfFields } from './candidates.js';
import { eachCopyRow } from './copy-text.js';
import { type Pool, copyOutQuery, createPool, rows, withTransaction } from './db.js';
import { MatchIndex, columnsBuilder } from './matching/engine.js';
import { runInBackground } from './priority.js';
import type { Weights } from './matching/score.js';

export interface Loaded {
  index: MatchIndex;
  /** The snapshot it was read in (pg_snapshot text): every change that snapshot saw is in the index. */
  watermark: string;
}

export async function loadIndex(db: Pool, weights?: Weights): Promise<Loaded> {
  return withTransaction(
    db,
    async (client) => {
      const [{ snapshot }] = await rows(client, 'snapshot_xmin');
      const cols = columnsBuilder(65_536);
      await eachCopyRow(copyOutQuery(client, 'population', []), (f) => cols.push(candidateOfFields(f)));
      return { index: new MatchIndex(cols.done(), weights), watermark: snapshot as string };
    },
    'snapshot',
  );
}

// As a worker thread, kept for the life of its LiveIndex (starting one costs over a second of CPU,
// most of it compiling modules, and a filling system reloads often): each { load: n } message is
// answered with { load: n, parts, watermark } (buffers transferred) or { load: n, error }.
if (!isMainThread && workerData?.liveIndexLoad) {
  // A load is background work: this thread and its Postgres backend yield the CPU to requests.
  runInBackground();
  const db = createPool(workerData.databaseUrl as string, { max: 1, background: true });
  parentPort!.on('message', ({ load }: { load: number }) => {
    loadIndex(db, workerData.weights as Weights | undefined)
      .then(({ index, watermark }) => {
        const parts = index.parts();
        const buffers = new Set<ArrayBufferLike>();
        for (const part of [parts.cols, parts.buckets, { idTable: parts.idTable }]) {
          for (const v of Object.values(part)) if (ArrayBuffer.isView(v)) buffers.add(v.buffer);
        }
        parentPort!.postMessage({ load, parts, watermark }, [...buffers] as ArrayBuffer[]);
      })
      .catch((err: Error) => parentPort!.postMessage({ load, error: err.message }));
  });
}
