import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { newProfileSchema, preferencesPatchSchema } from '../../shared/profile.js';
import { signUserToken } from '../../shared/tokens.js';
import { getUser, insertUser, updatePreferences } from '../../shared/users.js';
import { requireSelf, userAuth } from '../auth.js';
import { limitPerAddress } from '../limits.js';
import type { AppEnv } from '../context.js';
import { Profile, UserParam, errors, json } from '../schemas.js';

export const profiles = new OpenAPIHono<AppEnv>();
const bearer = [{ bearer: [] }];

profiles.openapi(
  createRoute({
    method: 'post',
    path: '/register',
    tags: ['profiles'],
    summary: 'Create a profile; answers it with a user token',
    middleware: [limitPerAddress('register')] as const,
    request: { body: { required: true, ...json(newProfileSchema, 'The new profile') } },
    responses: { 201: json(z.object({ user: Profile, token: z.string() }), 'Created'), ...errors(400, 413, 415, 429) },
  }),
  async (c) => {
    const { db, config, feed, live } = c.get('deps');
    const user = await insertUser(db, c.req.valid('json'), live.reachOf);
    // Not awaited: a new user has no list to replace, and their first page is right without one (the
    // live path). The refresh caches their list and card meanwhile, newer-wins like every write, so
    // it cannot overwrite a change they make next; it handles its own failures. Six round trips
    // fewer on the response, the slowest part of registering during a bulk load.
    void feed.profileChanged(user.id);
    return c.json({ user, token: await signUserToken(config.JWT_SECRET, user.id, config.TOKEN_TTL_S) }, 201);
  },
);

profiles.openapi(
  createRoute({
    method: 'get',
    path: '/users/{user_id}',
    tags: ['profiles'],
    summary: 'Your own profile',
    security: bearer,
    middleware: [userAuth] as const,
    request: { params: UserParam },
    responses: { 200: json(z.object({ user: Profile }), 'The profile'), ...errors(400, 401, 403, 404) },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    return c.json({ user: await getUser(c.get('deps').db, user_id) }, 200);
  },
);

profiles.openapi(
  createRoute({
    method: 'put',
    path: '/update_preferences/{user_id}',
    tags: ['profiles'],
    summary: 'Change any of the preferred ranges and interested_in',
    security: bearer,
    middleware: [userAuth] as const,
    request: { params: UserParam, body: { required: true, ...json(preferencesPatchSchema, 'A non-empty subset of the preferences') } },
    responses: { 200: json(z.object({ user: Profile }), 'The updated profile'), ...errors(400, 401, 403, 404, 413, 415) },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    const { db, feed, live } = c.get('deps');
    const user = await updatePreferences(db, user_id, c.req.valid('json'), live.reachOf);
    await feed.profileChanged(user.id);
    return c.json({ user }, 200);
  },
);
