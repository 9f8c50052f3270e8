// `npm run api`: the HTTP API alone (run `npm run worker` for the rebuilds). Reads the environment
// and nothing else; on a developer's machine `npm run dev:api` fills it in first (scripts/dev.ts).
import { configFromEnvOrExit } from '../shared/config.js';
import { openQueues } from '../shared/queues.js';
import { openResources } from '../shared/resources.js';
import { onShutdown } from '../shared/shutdown.js';
import { startServer } from './server.js';

const res = await openResources(configFromEnvOrExit(), 'api');
const queues = openQueues(res.config);
const server = await startServer(res, queues);
onShutdown(res.log, [server.close, queues.close, res.close]);
