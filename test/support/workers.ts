// Real BullMQ workers for tests: in this process, or as separate `worker/main.ts` processes.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Config } from '../../shared/config.js';
import type { Pool } from '../../shared/db.js';
import { createLogger } from '../../shared/logger.js';
import type { Queues } from '../../shared/queues.js';
import { type RebuildStatus, rebuildStatus } from '../../shared/rebuild.js';
import { createRedis } from '../../shared/redis.js';
import { startWorkers } from '../../worker/workers.js';
import { commandEnv } from './env.js';

export function inProcessWorkers(config: Config, db: Pool, queues: Queues) {
  const redis = createRedis(config);
  const res = { config, db, redis, log: createLogger('silent', 'test-worker'), close: async () => {} };
  const workers = startWorkers(res, queues);
  return {
    workers,
    async close() {
      await workers.close();
      await redis.quit();
    },
  };
}

const NEVER = '0 0 1 1 *';

/** `npm run worker` as a child process on the test's database and key prefix. */
export function workerProcess(config: Config, extraEnv: Record<string, string> = {}): ChildProcess {
  const env = commandEnv(config, {
    REBUILD_CRON: NEVER,
    INCREMENTAL_CRON: NEVER,
    WORKER_CONCURRENCY: '1',
    WORKER_LOCK_MS: String(config.WORKER_LOCK_MS),
    WORKER_STALLED_MS: String(config.WORKER_STALLED_MS),
    ...extraEnv,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

export async function waitForRebuild(queues: Queues, jobId: string, timeoutMs = 120_000): Promise<RebuildStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await rebuildStatus(queues, jobId);
    if (status?.state === 'completed' || status?.state === 'failed') return status;
    if (Date.now() > until) throw new Error(`rebuild ${jobId} not done after ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
