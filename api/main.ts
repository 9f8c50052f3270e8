// `npm run api`: the HTTP API alone.
import { createLiveFeed } from '../shared/feed.js';
import { openResources } from '../shared/resources.js';
import { localConfig } from '../scripts/lib/local-env.js';
import { onShutdown } from '../shared/shutdown.js';
import { startServer } from './server.js';

const res = await openResources(await localConfig(), 'api');
const server = startServer(res, createLiveFeed(res.db));
onShutdown(res.log, [server.close, res.close]);
