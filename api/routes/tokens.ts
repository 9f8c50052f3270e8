// Token renewal and signing out everywhere.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { signUserToken } from '../../shared/tokens.js';
import { notFound } from '../../shared/errors.js';
import { requireSelf, userAuth } from '../auth.js';
import type { AppEnv } from '../context.js';
import { UserParam, errors, json } from '../schemas.js';

export const tokens = new OpenAPIHono<AppEnv>();
const bearer = [{ bearer: [] }];

tokens.openapi(
  createRoute({
    method: 'post',
    path: '/token/refresh',
    tags: ['tokens'],
    summary: 'A new token for the same user, with a fresh expiry (TOKEN_TTL_S, a week by default)',
    description: 'Send a valid, unexpired token; the answer is a new one. Both stay valid until they expire or the user signs out everywhere.',
    security: bearer,
    middleware: [userAuth] as const,
    responses: { 200: json(z.object({ token: z.string() }), 'A fresh token'), ...errors(401) },
  }),
  async (c) => {
    const { config } = c.get('deps');
    return c.json({ token: await signUserToken(config.JWT_SECRET, c.get('userId'), config.TOKEN_TTL_S, c.get('tokenVersion')) }, 200);
  },
);

tokens.openapi(
  createRoute({
    method: 'post',
    path: '/users/{user_id}/sign_out_everywhere',
    tags: ['tokens'],
    summary: 'Invalidate every token of this user, this one included',
    description:
      'Raises the user\'s token version: every token issued before answers 401 from then on (at once on this server, ' +
      'within a second on the others). Sign in again with a new token (POST /register issues the first one).',
    security: bearer,
    middleware: [userAuth] as const,
    request: { params: UserParam },
    responses: { 204: { description: 'Signed out everywhere' }, ...errors(400, 401, 403) },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, tokenVersions } = c.get('deps');
    if ((await tokenVersions.bump(db, user_id)) === undefined) throw notFound(`User ${user_id}`);
    return c.body(null, 204);
  },
);
