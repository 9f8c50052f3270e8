// `npm run worker`: the BullMQ workers and the scheduler, without the API.
import { localConfig } from '../scripts/lib/local-env.js';
import { openQueues } from '../shared/queues.js';
import { openResources } from '../shared/resources.js';
import { onShutdown } from '../shared/shutdown.js';
import { startSchedule } from './schedule.js';
import { startWorkers } from './workers.js';

const res = await openResources(await localConfig(), 'worker');
const queues = openQueues(res.config);
const workers = startWorkers(res, queues);
const schedule = startSchedule(res.config, queues, res.log);
res.log.info('worker started');
onShutdown(res.log, [schedule.stop, workers.close, queues.close, res.close]);
