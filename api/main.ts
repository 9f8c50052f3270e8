// `npm run api`: the HTTP API alone (run `npm run worker` for the rebuilds).
import { localConfig } from '../scripts/lib/local-env.js';
import { openQueues } from '../shared/queues.js';
import { openResources } from '../shared/resources.js';
import { onShutdown } from '../shared/shutdown.js';
import { startServer } from './server.js';

const res = await openResources(await localConfig(), 'api');
const queues = openQueues(res.config);
const server = await startServer(res, queues);
onShutdown(res.log, [server.close, queues.close, res.close]);
