// Operators and reports: list them, resolve one, clear a user. All behind ADMIN_TOKEN; writes go
// through the operator guard (same origin only, one audit line each: who, what, on which id).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { REPORT_REASONS } from '../../shared/blocks.js';
import { notFound } from '../../shared/errors.js';
import { clearUser, listReports, resolveReport } from '../../shared/moderation.js';
import { adminAuth } from '../auth.js';
import { operatorGuard } from '../operator-guard.js';
import type { AppEnv } from '../context.js';
import { UserParam, errors, idParam, json } from '../schemas.js';

export const moderation = new OpenAPIHono<AppEnv>();
const operator = [{ operator: [] }];
// Only on these routes: the other /admin routes have the guard of their own sub-app (one audit line each).
moderation.use('/admin/reports/*', operatorGuard);
moderation.use('/admin/users/:user_id/clear', operatorGuard);

const ReportView = z
  .object({
    id: z.number().int(),
    reporter_id: z.number().int().nullable().openapi({ description: 'null once the reporter deleted their account' }),
    reported_id: z.number().int(),
    reason: z.enum(REPORT_REASONS),
    text: z.string().nullable(),
    created_at: z.string(),
    resolved_at: z.string().nullable(),
    resolution: z.enum(['resolved', 'cleared']).nullable(),
    reported_erased: z.boolean().openapi({ description: 'the reported account was deleted since (the report is kept, the profile is gone)' }),
    reported_suspended: z.boolean(),
  })
  .openapi('ReportView');

moderation.openapi(
  createRoute({
    method: 'get',
    path: '/admin/reports',
    tags: ['operators'],
    summary: 'Reports, oldest first, a page at a time (pass next_after as after for the next page)',
    security: operator,
    middleware: [adminAuth] as const,
    request: {
      query: z.object({
        status: z.enum(['open', 'resolved', 'all']).default('open'),
        after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
        limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
    },
    responses: { 200: json(z.object({ reports: z.array(ReportView), next_after: z.number().int().nullable() }), 'A page of reports'), ...errors(400, 401) },
  }),
  async (c) => {
    const { status, after, limit } = c.req.valid('query');
    const { db, log } = c.get('deps');
    const page = await listReports(db, status, after, limit);
    // A read, so the guard does not log it; but it shows report texts: who read which page.
    log.info({ action: 'list_reports', operator: c.get('operator'), status, after, count: page.reports.length }, 'operator read');
    return c.json(page, 200);
  },
);

moderation.openapi(
  createRoute({
    method: 'post',
    path: '/admin/reports/{report_id}/resolve',
    tags: ['operators'],
    summary: 'Mark a report handled (a suspension stays until the user is cleared or deleted)',
    security: operator,
    middleware: [adminAuth] as const,
    request: { params: z.object({ report_id: idParam('report_id') }) },
    responses: {
      200: json(z.object({ report_id: z.number().int(), resolved_at: z.string(), resolution: z.enum(['resolved', 'cleared']) }), 'Resolved (repeatable)'),
      ...errors(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { report_id } = c.req.valid('param');
    const done = await resolveReport(c.get('deps').db, report_id);
    if (!done) throw notFound(`Report ${report_id}`);
    c.set('audit', { action: 'resolve_report', report_id });
    return c.json({ report_id, ...done } as { report_id: number; resolved_at: string; resolution: 'resolved' | 'cleared' }, 200);
  },
);

moderation.openapi(
  createRoute({
    method: 'post',
    path: '/admin/users/{user_id}/clear',
    tags: ['operators'],
    summary: 'Clear a reported user: lifts a suspension (shown again at once) and resolves the open reports about them',
    security: operator,
    middleware: [adminAuth] as const,
    request: { params: UserParam },
    responses: { 200: json(z.object({ user_id: z.number().int(), suspended: z.literal(false), cleared_reports: z.number().int() }), 'Cleared'), ...errors(400, 401, 403, 404) },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    const { db, feed } = c.get('deps');
    const done = await clearUser(db, user_id);
    if (!done) throw notFound(`User ${user_id}`);
    c.set('audit', { action: 'clear_user', user_id, cleared_reports: done.cleared_reports });
    await feed.profileChanged(user_id);
    return c.json({ user_id, suspended: false as const, cleared_reports: done.cleared_reports }, 200);
  },
);
