// `npm start`: the whole system on one machine, on local Postgres and Redis (found or started when
// DATABASE_URL / REDIS_URL are unset). Adds no users: see `npm run seed`.
//
// This process only supervises. The API runs in API_PROCESSES processes sharing PORT (node:cluster),
// the workers and the scheduler in one more: ranking, list refreshes and index loads never stall a
// request's event loop. Each child runs a production entry point unchanged (api/main.ts,
// worker/main.ts) on the environment completed here.
import cluster, { type Worker } from 'node:cluster';
import { configFromEnvOrExit } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { prepareLocalEnv } from './lib/local-env.js';
import { runInBackground } from '../shared/priority.js';

const ROLES = { api: '../api/main.js', worker: '../worker/main.js' } as const;
type Role = keyof typeof ROLES;

if (cluster.isPrimary) await supervise();
else {
  // On one machine the requests come first: a rebuild or a stream of incremental passes takes the
  // cores the API leaves, not the API's.
  if (process.env.MM_ROLE === 'worker') runInBackground();
  await import(ROLES[process.env.MM_ROLE as Role]);
}

async function supervise() {
  // The whole system on one machine is a development (or demo) run unless NODE_ENV says otherwise;
  // with NODE_ENV=production it fills in nothing and refuses to start without the secrets.
  process.env.NODE_ENV ||= 'development';
  await prepareLocalEnv(process.env);
  const config = configFromEnvOrExit(process.env);
  const log = createLogger(config.LOG_LEVEL, 'matchmaker');
  const roles = new Map<Worker, Role>();
  let stopping = false;
  let exitCode = 0;

  const start = (role: Role) => {
    const child = cluster.fork({ MM_ROLE: role });
    roles.set(child, role);
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      roles.delete(child);
      if (stopping) {
        if (roles.size === 0) process.exit(exitCode);
        return;
      }
      // A child that dies at once (a bad setting, a port in use) would die again: stop, saying so.
      // One that ran for a while is started again.
      if (Date.now() - startedAt < 10_000) {
        log.error({ role, code, signal }, `the ${role} process exited at start; stopping`);
        stop(code || 1);
      } else {
        log.warn({ role, code, signal }, `the ${role} process exited; starting another`);
        start(role);
      }
    });
  };

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    if (roles.size === 0) process.exit(code);
    for (const child of roles.keys()) child.process.kill('SIGTERM');
    // Each child closes in order (shared/shutdown.ts); one that hangs is not waited on forever.
    setTimeout(() => {
      for (const child of roles.keys()) child.process.kill('SIGKILL');
      process.exit(code || 1);
    }, 30_000).unref();
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  start('worker');
  for (let i = 0; i < config.API_PROCESSES; i++) start('api');
  log.info(
    { api_processes: config.API_PROCESSES },
    'operator dashboard at /admin/queues: any user name, ADMIN_TOKEN as password (in development: .data/dev-secrets.json)',
  );
}
