// `npm start`: the whole system in one process: API, workers and scheduler, on local Postgres and
// Redis (found or started when DATABASE_URL / REDIS_URL are unset). Adds no users: see `npm run seed`.
import { startServer } from '../api/server.js';
import { openQueues } from '../shared/queues.js';
import { openResources } from '../shared/resources.js';
import { onShutdown } from '../shared/shutdown.js';
import { startSchedule } from '../worker/schedule.js';
import { startWorkers } from '../worker/workers.js';
import { localConfig } from './lib/local-env.js';

// The whole system on one machine is a development (or demo) run unless NODE_ENV says otherwise;
// with NODE_ENV=production it fills in nothing and refuses to start without the secrets.
process.env.NODE_ENV ||= 'development';
const res = await openResources(await localConfig(), 'matchmaker');
const queues = openQueues(res.config);
const workers = startWorkers(res, queues);
const schedule = startSchedule(res.config, queues, res.log);
const server = await startServer(res, queues);
res.log.info('operator dashboard at /admin/queues: any user name, ADMIN_TOKEN as password (in development: .data/dev-secrets.json)');
onShutdown(res.log, [server.close, schedule.stop, workers.close, queues.close, res.close]);
