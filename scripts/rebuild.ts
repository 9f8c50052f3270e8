// `npm run rebuild`: starts a full rebuild, lends this process's rebuild workers to it (so it finishes even
// when no `npm run worker` is running, and faster when some are), shows progress, and prints the
// summary as the last line: one JSON object.
import { SingleBar } from 'cli-progress';
import { openQueues } from '../shared/queues.js';
import { rebuildStatus, triggerRebuild } from '../shared/rebuild.js';
import { openResources } from '../shared/resources.js';
import { startWorkers } from '../worker/workers.js';
import { localConfig } from './lib/local-env.js';

const config = await localConfig();
const res = await openResources({ ...config, LOG_LEVEL: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn' }, 'rebuild');
const queues = openQueues(res.config);
const workers = startWorkers(res, queues, { incremental: false });
const { jobId, alreadyRunning } = await triggerRebuild(res.db, queues, res.config.REBUILD_PARTITIONS, 'cli');
// One full rebuild at a time: when one is running, follow it (and lend it these workers).
console.error(alreadyRunning ? `rebuild ${jobId} is already running; following it` : `rebuild ${jobId} started`);

const bar = process.stderr.isTTY ? new SingleBar({ format: 'rebuild [{bar}] {percentage}% | partitions {done}/{total}', stream: process.stderr }) : undefined;
bar?.start(100, 0, { done: 0, total: '?' });
let status = await rebuildStatus(queues, jobId);
while (status && status.state !== 'completed' && status.state !== 'failed') {
  await new Promise((r) => setTimeout(r, 250));
  status = await rebuildStatus(queues, jobId);
  bar?.update(status?.progress ?? 0, status?.partitions ?? {});
}
bar?.stop();
await workers.close();
await queues.close();
await res.close();
if (!status || status.state !== 'completed' || !status.result) {
  console.error(`rebuild ${jobId} ${status?.state ?? 'vanished'}: ${status?.failed_reason ?? 'see the worker logs'}`);
  process.exit(1);
}
console.log(JSON.stringify(status.result));
