// Block and report. A report also blocks; enough reports from different people suspend the reported user.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { REPORT_REASONS, block, report } from '../../shared/blocks.js';
import { requireSelf, userAuth } from '../auth.js';
import type { AppEnv } from '../context.js';
import { errors, idParam, json } from '../schemas.js';

export const blocks = new OpenAPIHono<AppEnv>();
const bearer = [{ bearer: [] }];

const ReportBody = z
  .strictObject({
    reason: z.enum(REPORT_REASONS),
    text: z
      .string()
      .max(1000, 'must be at most 1000 characters')
      .refine((s) => !s.includes('\0'), 'must not contain NUL characters')
      .nullish(),
  })
  .openapi('Report');

blocks.openapi(
  createRoute({
    method: 'post',
    path: '/block/{user_id}/{blocked_user_id}',
    tags: ['safety'],
    summary: 'Block someone: the two never see each other again, and a match between them is dissolved',
    security: bearer,
    middleware: [userAuth] as const,
    request: { params: z.object({ user_id: idParam('user_id'), blocked_user_id: idParam('blocked_user_id') }) },
    responses: { 200: json(z.object({ blocked_user_id: z.number().int() }), 'Blocked (repeatable)'), ...errors(400, 401, 403, 404) },
  }),
  async (c) => {
    const { user_id, blocked_user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, feed } = c.get('deps');
    const { xid } = await block(db, user_id, blocked_user_id);
    await feed.blocked(user_id, blocked_user_id, xid);
    return c.json({ blocked_user_id }, 200);
  },
);

blocks.openapi(
  createRoute({
    method: 'post',
    path: '/report/{user_id}/{reported_user_id}',
    tags: ['safety'],
    summary: 'Report someone to the moderators; this also blocks them',
    description:
      'Stored with its reason and text for operators (GET /admin/reports). A user reported by REPORT_SUSPEND_THRESHOLD ' +
      '(default 3) different people with open reports is suspended: shown to nobody until an operator clears them.',
    security: bearer,
    middleware: [userAuth] as const,
    request: {
      params: z.object({ user_id: idParam('user_id'), reported_user_id: idParam('reported_user_id') }),
      body: { required: true, ...json(ReportBody, 'Why') },
    },
    responses: { 201: json(z.object({ report_id: z.number().int() }), 'Reported'), ...errors(400, 401, 403, 404, 413, 415) },
  }),
  async (c) => {
    const { user_id, reported_user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, feed, config, log } = c.get('deps');
    const r = await report(db, user_id, reported_user_id, c.req.valid('json'), config.REPORT_SUSPEND_THRESHOLD);
    await feed.blocked(user_id, reported_user_id, r.xid);
    if (r.suspended) {
      log.info({ event: 'user_suspended', user_id: reported_user_id, by: 'reports', threshold: config.REPORT_SUSPEND_THRESHOLD }, 'user suspended');
      await feed.profileChanged(reported_user_id);
    }
    return c.json({ report_id: r.reportId }, 201);
  },
);
