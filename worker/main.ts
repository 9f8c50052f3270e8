// `npm run worker`: the BullMQ workers and the scheduler, without the API. Reads the environment
// and nothing else; on a developer's machine `npm run dev:worker` fills it in first (scripts/dev.ts).
import { configFromEnvOrExit } from '../shared/config.js';
import { openQueues } from '../shared/queues.js';
import { openResources } from '../shared/resources.js';
import { onShutdown } from '../shared/shutdown.js';
import { startSchedule } from './schedule.js';
import { startWorkers } from './workers.js';

const res = await openResources(configFromEnvOrExit(), 'worker');
const queues = openQueues(res.config);
const workers = startWorkers(res, queues);
const schedule = startSchedule(res.config, queues, res.log);
res.log.info('worker started');
onShutdown(res.log, [schedule.stop, workers.close, queues.close, res.close]);
