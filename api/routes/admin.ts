// Operator routes: start and watch full rebuilds, and the Bull Board dashboard. All behind ADMIN_TOKEN.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { AppError, notFound } from '../../shared/errors.js';
import type { Queues } from '../../shared/queues.js';
import { rebuildStatus, triggerRebuild } from '../../shared/rebuild.js';
import { adminAuth } from '../auth.js';
import type { AppEnv } from '../context.js';
import { operatorGuard } from '../operator-guard.js';
import { UserParam, errors, json } from '../schemas.js';

const UNROUTED = 'x-dashboard-unrouted';

export function adminRoutes(queues: Queues) {
  const admin = new OpenAPIHono<AppEnv>();
  const operator = [{ operator: [] }];
  admin.use('/admin/*', operatorGuard);

  admin.openapi(
    createRoute({
      method: 'post',
      path: '/admin/rebuild',
      tags: ['operators'],
      summary: 'Start a full rebuild of every user\'s ranked list, or name the one running',
      description: 'One full rebuild runs at a time: while one runs, the answer names it with `already_running: true` and starts nothing.',
      security: operator,
      middleware: [adminAuth] as const,
      responses: { 202: json(z.object({ job_id: z.string(), already_running: z.literal(true).optional() }), 'Started, or already running'), ...errors(401, 403, 503) },
    }),
    async (c) => {
      const { db, config } = c.get('deps');
      const run = await triggerRebuild(db, queues, config.REBUILD_PARTITIONS, 'operator');
      c.set('audit', { action: 'rebuild', job_id: run.jobId, ...(run.alreadyRunning ? { already_running: true } : {}) });
      return c.json(run.alreadyRunning ? { job_id: run.jobId, already_running: true as const } : { job_id: run.jobId }, 202);
    },
  );

  admin.openapi(
    createRoute({
      method: 'get',
      path: '/admin/rebuild/{job_id}',
      tags: ['operators'],
      summary: 'A rebuild\'s state, progress (0-100) and, once completed, its summary',
      security: operator,
      middleware: [adminAuth] as const,
      request: { params: z.object({ job_id: z.string().max(200) }) },
      responses: {
        200: json(
          z.object({
            job_id: z.string(),
            state: z.string(),
            progress: z.number(),
            partitions: z.object({ done: z.number(), total: z.number() }),
            result: z.object({ users: z.number(), partitions: z.number(), duration_ms: z.number(), users_per_s: z.number() }).optional(),
          }),
          'Status',
        ),
        ...errors(401, 404),
      },
    }),
    async (c) => {
      const { job_id } = c.req.valid('param');
      const status = await rebuildStatus(queues, job_id);
      if (!status) throw new AppError('NOT_FOUND', `No rebuild job "${job_id}".`);
      return c.json(status, 200);
    },
  );

  admin.openapi(
    createRoute({
      method: 'post',
      path: '/admin/users/{user_id}/revoke_tokens',
      tags: ['operators'],
      summary: 'Revoke every token of a user',
      description: 'Raises the user\'s token version: their tokens answer 401 from then on (at once on this server, within a second on the others).',
      security: operator,
      middleware: [adminAuth] as const,
      request: { params: UserParam },
      responses: { 200: json(z.object({ user_id: z.number().int(), token_version: z.number().int() }), 'Revoked'), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { user_id } = c.req.valid('param');
      const { db, tokenVersions } = c.get('deps');
      const token_version = await tokenVersions.bump(db, user_id);
      if (token_version === undefined) throw notFound(`User ${user_id}`);
      c.set('audit', { action: 'revoke_tokens', user_id, token_version });
      return c.json({ user_id, token_version }, 200);
    },
  );

  // Bull Board: a browser opens it with Basic auth (any user name, the operator token as password).
  // It is an app of its own that this one hands its requests to: one of its paths
  // (`.../:queueName/:jobId/logs`) is beyond hono's RegExpRouter, and mounted here it would put every
  // route of the API on the slower trie router (issue 7).
  const board = new HonoAdapter(serveStatic);
  createBullBoard({ queues: [queues.rebuild, queues.partition, queues.incremental].map((q) => new BullMQAdapter(q)), serverAdapter: board });
  board.setBasePath('/admin/queues');
  // What the board has no route for goes on to this app's own 404, in the contract's error body.
  const dashboard = new Hono().route('/admin/queues', board.registerPlugin()).notFound((c) => c.body(null, 404, { [UNROUTED]: '1' }));
  // In hono `/admin/queues/*` matches `/admin/queues` as well: one pattern, so each request is
  // checked and handed over once.
  admin.use('/admin/queues/*', adminAuth);
  admin.all('/admin/queues/*', async (c, next) => {
    const res = await dashboard.fetch(c.req.raw, c.env);
    if (!res.headers.has(UNROUTED)) return res;
    await next();
  });
  return admin;
}
