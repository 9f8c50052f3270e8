// Leaving and pausing: delete the account, export one's data, pause (visibility).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { deleteUser, setVisibility } from '../../shared/accounts.js';
import { goneCaller } from '../../shared/blocks.js';
import { notFound } from '../../shared/errors.js';
import { openExport } from '../../shared/export.js';
import { requireSelf, userAuth, userOrOperatorAuth } from '../auth.js';
import type { AppEnv } from '../context.js';
import { UserParam, errors, json } from '../schemas.js';

export const accounts = new OpenAPIHono<AppEnv>();
const bearer = [{ bearer: [] }];
// Either one (a literal array of two different shapes here upsets the route's type inference).
const userOrOperator: Record<string, string[]>[] = [{ bearer: [] }, { operator: [] }];

accounts.openapi(
  createRoute({
    method: 'delete',
    path: '/users/{user_id}',
    tags: ['profiles'],
    summary: 'Delete the account and everything about it (by the user, or by an operator)',
    description:
      'One transaction erases the profile, swipes, matches and blocks; reports the user made are kept without their identity, ' +
      'reports about them are kept for moderation without the profile. At once the user is on nobody\'s page and in nobody\'s ' +
      'matches, and their tokens get 401. An operator repeating it gets 404.',
    security: userOrOperator,
    middleware: [userOrOperatorAuth] as const,
    request: { params: UserParam },
    responses: { 204: { description: 'Erased' }, ...errors(400, 401, 403, 404) },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    const operator = c.get('operator') !== undefined;
    if (!operator) requireSelf(c.get('userId'), user_id);
    const { db, feed, log, tokenVersions } = c.get('deps');
    if (!(await deleteUser(db, user_id))) throw operator ? notFound(`User ${user_id}`) : goneCaller();
    // Who asked and which id: nothing else about the person is logged.
    log.info({ event: 'account_deleted', user_id, by: operator ? 'operator' : 'self' }, 'account deleted');
    // Their tokens: every process forgets the cached token version, and finds no user (401).
    await tokenVersions.changed(user_id);
    await feed.erased(user_id);
    return c.body(null, 204);
  },
);

accounts.openapi(
  createRoute({
    method: 'get',
    path: '/users/{user_id}/export',
    tags: ['profiles'],
    summary: 'Everything held about you, as one JSON document (streamed)',
    description:
      'Profile (every stored field), swipes made, matches (the other user\'s id and when), blocks made and reports made, ' +
      'read from one consistent snapshot and streamed as it is read.',
    security: bearer,
    middleware: [userAuth] as const,
    request: { params: UserParam },
    responses: {
      200: json(
        z.object({
          user_id: z.number().int(),
          exported_at: z.string(),
          profile: z.record(z.string(), z.unknown()),
          swipes: z.array(z.object({ swipee_id: z.number().int(), kind: z.enum(['like', 'pass']), created_at: z.string(), updated_at: z.string() })),
          matches: z.array(z.object({ user_id: z.number().int(), matched_at: z.string() })),
          blocks: z.array(z.object({ blocked_user_id: z.number().int(), created_at: z.string() })),
          reports: z.array(z.object({ report_id: z.number().int(), reported_user_id: z.number().int(), reason: z.string(), text: z.string().nullable(), created_at: z.string() })),
        }),
        'The export',
      ),
      ...errors(400, 401, 403),
    },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, log } = c.get('deps');
    const doc = await openExport(db, user_id);
    if (!doc) throw goneCaller();
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="matchmaker-export-${user_id}.json"`);
    c.header('Cache-Control', 'no-store');
    // A stream is a plain Response; the document's shape is the one declared above.
    const body = stream(
      c,
      async (out) => {
        // Leaving the loop (a client that went away) ends the generator, which releases its connection.
        for await (const chunk of doc) {
          await out.write(chunk);
          if (out.aborted) break;
        }
      },
      // The status is sent already: the document breaks off, which a JSON parser notices.
      async (err) => log.error({ err, user_id }, 'export broke off'),
    );
    return body as never;
  },
);

accounts.openapi(
  createRoute({
    method: 'put',
    path: '/users/{user_id}/visibility',
    tags: ['profiles'],
    summary: 'Pause (visible: false) or un-pause: a paused user is shown to nobody and keeps their own feed and matches',
    security: bearer,
    middleware: [userAuth] as const,
    request: {
      params: UserParam,
      body: { required: true, ...json(z.strictObject({ visible: z.boolean() }).openapi('Visibility'), 'Shown to others or not') },
    },
    responses: { 200: json(z.object({ visible: z.boolean() }), 'Set'), ...errors(400, 401, 403, 413, 415) },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, feed } = c.get('deps');
    const visible = await setVisibility(db, user_id, c.req.valid('json').visible);
    if (visible === undefined) throw goneCaller();
    await feed.profileChanged(user_id);
    return c.json({ visible }, 200);
  },
);
