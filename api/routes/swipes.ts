import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { like, listMatches, pass } from '../../shared/swipes.js';
import { requireSelf, userAuth } from '../auth.js';
import { limitPerUser } from '../limits.js';
import type { AppEnv } from '../context.js';
import { Card, PairParam, UserParam, errors, json } from '../schemas.js';

export const swipes = new OpenAPIHono<AppEnv>();
const bearer = [{ bearer: [] }];

swipes.openapi(
  createRoute({
    method: 'post',
    path: '/like/{user_id}/{liked_user_id}',
    tags: ['swipes'],
    summary: 'Like someone; a like back makes a match',
    security: bearer,
    middleware: [userAuth, limitPerUser('swipe', 'like')] as const,
    request: { params: PairParam },
    responses: {
      201: json(z.object({ liked_user_id: z.number().int(), matched: z.boolean(), matched_at: z.string().optional() }), 'A new like'),
      200: json(z.object({ liked_user_id: z.number().int(), matched: z.boolean(), matched_at: z.string().optional() }), 'Already liked'),
      ...errors(400, 401, 403, 404, 429),
    },
  }),
  async (c) => {
    const { user_id, liked_user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, feed, metrics } = c.get('deps');
    const result = await like(db, user_id, liked_user_id);
    await feed.swiped(user_id, liked_user_id, 'like', result.xid);
    if (result.matched && result.created) metrics.matches.inc();
    const body = {
      liked_user_id,
      matched: result.matched,
      ...(result.matchedAt ? { matched_at: result.matchedAt.toISOString() } : {}),
    };
    return result.created ? c.json(body, 201) : c.json(body, 200);
  },
);

swipes.openapi(
  createRoute({
    method: 'post',
    path: '/unlike/{user_id}/{liked_user_id}',
    tags: ['swipes'],
    summary: 'Pass on someone: withdraws a like and dissolves a match',
    security: bearer,
    middleware: [userAuth, limitPerUser('swipe')] as const,
    request: { params: PairParam },
    responses: {
      200: json(z.object({ passed_user_id: z.number().int(), unmatched: z.boolean() }), 'Recorded'),
      ...errors(400, 401, 403, 404, 429),
    },
  }),
  async (c) => {
    const { user_id, liked_user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, feed } = c.get('deps');
    const { unmatched, xid } = await pass(db, user_id, liked_user_id);
    await feed.swiped(user_id, liked_user_id, 'pass', xid);
    return c.json({ passed_user_id: liked_user_id, unmatched }, 200);
  },
);

swipes.openapi(
  createRoute({
    method: 'get',
    path: '/matches/{user_id}',
    tags: ['swipes'],
    summary: 'Your matches, newest first',
    security: bearer,
    middleware: [userAuth] as const,
    request: { params: UserParam },
    responses: {
      200: json(z.object({ user_id: z.number().int(), matches: z.array(z.object({ user: Card, matched_at: z.string() })) }), 'Matches'),
      ...errors(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db } = c.get('deps');
    const matches = await listMatches(db, user_id);
    return c.json({ user_id, matches }, 200);
  },
);
