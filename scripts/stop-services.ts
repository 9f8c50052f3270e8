// npm run services:stop — stop the project-local dev servers that `npm start` & co. leave running
// (Postgres on 54329 with data in .data/postgres, Redis on 63799). Their data is kept.
import path from 'node:path';
import { DEV } from './lib/local-services.js';
import { stopPostgres } from './lib/postgres-server.js';
import { stopRedis } from './lib/redis-server.js';

const rel = (p: string) => path.relative(process.cwd(), p) || '.';
let failed = false;
try {
  const was = await stopPostgres(DEV.pgDir, 'fast');
  console.error(was ? `postgres: stopped (data kept in ${rel(DEV.pgDir)})` : 'postgres: not running');
} catch (e) { failed = true; console.error(`postgres: could not stop: ${(e as Error).message}`); }
try {
  const was = await stopRedis(DEV.redisUrl, path.join(DEV.redisDir, 'redis.pid'));
  console.error(was ? 'redis: stopped' : 'redis: not running');
} catch (e) { failed = true; console.error(`redis: could not stop: ${(e as Error).message}`); }
process.exitCode = failed ? 1 : 0;
