// `npm run rebuild`: starts a full rebuild, follows it with a progress bar, and prints the summary as
// the last line: one JSON object. Where no worker process is listening (no `npm start`, no `npm run
// worker`), it ranks the partitions itself, so the rebuild finishes anyway. Where one is, it leaves the
// partitions to it: a second process would read the whole population again and compete for the same
// cores (at 1M users on two cores: 800 MB more for this command, and no faster; issue 7). `--lend`
// lends this process's workers all the same; if the worker processes go while it follows, it steps in.
import { SingleBar } from 'cli-progress';
import { openQueues } from '../shared/queues.js';
import { type RebuildStatus, rebuildStatus, triggerRebuild } from '../shared/rebuild.js';
import { openResources } from '../shared/resources.js';
import { startWorkers } from '../worker/workers.js';
import { localConfig } from './lib/local-env.js';

const config = await localConfig();
const res = await openResources({ ...config, LOG_LEVEL: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn' }, 'rebuild');
const queues = openQueues(res.config);
let lent: ReturnType<typeof startWorkers> | undefined;
const lend = (why: string) => {
  if (lent) return;
  console.error(why);
  lent = startWorkers(res, queues, { incremental: false });
};
// Asked before this process has workers of its own. A Redis that cannot list its clients (some
// managed ones) gets a placeholder without an address from BullMQ: then nobody is known to listen.
const othersListen = async () => {
  const found = await queues.partition.getWorkers();
  return found.length > 0 && found.every((w) => 'addr' in w);
};
if (process.argv.includes('--lend')) lend('lending this process\'s workers (--lend)');
else if (!(await othersListen())) lend('no worker process is listening: this one ranks the partitions');
else console.error('worker processes are listening: the partitions are theirs (--lend to help them)');
const { jobId, alreadyRunning } = await triggerRebuild(res.db, queues, res.config.REBUILD_PARTITIONS, 'cli');
// One full rebuild at a time: when one is running, follow it.
console.error(alreadyRunning ? `rebuild ${jobId} is already running; following it` : `rebuild ${jobId} started`);

const bar = process.stderr.isTTY ? new SingleBar({ format: 'rebuild [{bar}] {percentage}% | partitions {done}/{total}', stream: process.stderr }) : undefined;
bar?.start(100, 0, { done: 0, total: '?' });
// A poll that fails is asked again: ranking here (lent workers) holds this event loop for seconds at
// a time at a million users (the index build), past the queue connection's command timeout, and a
// command that timed out under a rebuild that is going well is no reason to abandon following it.
const FOLLOW_GIVE_UP_MS = 60_000;
let failingSince: number | undefined;
const polled = async <T>(ask: () => Promise<T>, previous: T): Promise<T> => {
  try {
    const answer = await ask();
    failingSince = undefined;
    return answer;
  } catch (err) {
    failingSince ??= Date.now();
    if (Date.now() - failingSince > FOLLOW_GIVE_UP_MS) throw err;
    return previous;
  }
};
// The first poll too: the run may have started just as Redis stalled.
let status: RebuildStatus | undefined = { job_id: jobId, state: 'waiting', progress: 0, partitions: { done: 0, total: 0 } };
status = await polled(() => rebuildStatus(queues, jobId), status);
for (let polls = 1; status && status.state !== 'completed' && status.state !== 'failed'; polls++) {
  await new Promise((r) => setTimeout(r, 250));
  status = await polled(() => rebuildStatus(queues, jobId), status);
  bar?.update(status?.progress ?? 0, status?.partitions ?? {});
  if (!lent && polls % 8 === 0 && !(await polled(othersListen, true))) lend('the worker processes are gone: this one ranks the rest');
}
bar?.stop();
await lent?.close();
await queues.close();
await res.close();
if (!status || status.state !== 'completed' || !status.result) {
  console.error(`rebuild ${jobId} ${status?.state ?? 'vanished'}: ${status?.failed_reason ?? 'see the worker logs'}`);
  process.exit(1);
}
console.log(JSON.stringify(status.result));
