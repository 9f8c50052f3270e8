// The scheduler only enqueues. Every worker process runs it; the jobIds (one per cron tick) make
// BullMQ keep just one job per tick, however many processes fire.
import cron from 'node-cron';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { Queues } from '../shared/queues.js';

const tick = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:T]/g, '');

export function startSchedule(config: Config, queues: Queues, log: Logger) {
  for (const [name, expr] of [['REBUILD_CRON', config.REBUILD_CRON], ['INCREMENTAL_CRON', config.INCREMENTAL_CRON]] as const) {
    if (!cron.validate(expr)) throw new Error(`${name} is not a valid cron expression: "${expr}"`);
  }
  const keep = { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };
  const tasks = [
    cron.schedule(config.REBUILD_CRON, async (ctx) => {
      await queues.rebuild.add('start', { trigger: 'schedule' }, { jobId: `start-${tick(ctx.date)}`, ...keep });
      log.info('scheduled full rebuild enqueued');
    }, { name: 'full-rebuild', noOverlap: true }),
    cron.schedule(config.INCREMENTAL_CRON, async (ctx) => {
      await queues.incremental.add('pass', {}, { jobId: `pass-${tick(ctx.date)}`, ...keep });
    }, { name: 'incremental', noOverlap: true }),
  ];
  return { stop: async () => void (await Promise.all(tasks.map((t) => t.destroy()))) };
}
