import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireSelf, userAuth, userClaims } from '../auth.js';
import { limitPerUser } from '../limits.js';
import type { AppEnv } from '../context.js';
import { pageBody } from '../../shared/feed-rank.js';
import { Card, UserParam, errors, json } from '../schemas.js';

export const feed = new OpenAPIHono<AppEnv>();

const Query = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
});

const Page = z.object({
  user_id: z.number().int(),
  potential_matches: z.array(Card.extend({ score: z.number().openapi({ description: 'Rank-derived: 100 for the first card, then 99, ... (says nothing about likes or preferences)' }) })),
  source: z.string().openapi({ example: 'cache' }),
  generated_at: z.string(),
});
type PageBody = z.infer<typeof Page>;

feed.openapi(
  createRoute({
    method: 'get',
    path: '/potential_matches/{user_id}',
    tags: ['feed'],
    summary: 'Your ranked potential matches: each card is eligible right now',
    security: [{ bearer: [] }],
    middleware: [userAuth, limitPerUser('feed')] as const,
    request: { params: UserParam, query: Query },
    responses: {
      200: json(Page, 'A page of cards, best first'),
      ...errors(400, 401, 403, 404, 429),
    },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    const limit = c.req.valid('query').limit ?? 20;
    requireSelf(c.get('userId'), user_id);
    return (await servePage(c, user_id, limit)) as unknown as ReturnType<typeof c.json<PageBody, 200>>;
  },
);

/** The page, in the documented shape: assembled from the cards' stored JSON (shared/feed-rank.ts), or as stored. */
export async function servePage(c: Context<AppEnv>, userId: number, limit: number): Promise<Response> {
  const deps = c.get('deps');
  const page = await deps.feed.page(userId, limit);
  deps.metrics.feedPages.inc({ source: page.rendered ? 'rendered' : page.source });
  return c.body(page.body ?? pageBody(userId, page), 200, { 'Content-Type': 'application/json' });
}

const PLAIN_QUERY = /^(?:\?limit=(\d{1,3}))?$/;
const PLAIN_ID = /^[1-9]\d{0,9}$/;

/**
 * A feed read in its common form, which the route above would accept as it is: no body, a
 * well-formed user id, no query or only `limit` from 1 to 100, and a valid token of that very user.
 * It is answered before the app's middleware (app.ts), none of which has anything to do for it
 * (that middleware and the route's validators were about half of a cached read's CPU, issue 7).
 * Anything else, errors included, returns undefined and takes the full route. Needs `deps` set.
 */
export async function plainFeedRead(c: Context<AppEnv>): Promise<{ userId: number; limit: number } | undefined> {
  const length = c.req.header('content-length');
  if ((length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined) return undefined;
  const url = c.req.url;
  const at = url.indexOf('?');
  const query = at < 0 ? null : PLAIN_QUERY.exec(url.slice(at));
  if (at >= 0 && !query) return undefined;
  const limit = query?.[1] === undefined ? 20 : Number(query[1]);
  const id = c.req.param('user_id');
  if (limit < 1 || limit > 100 || !id || !PLAIN_ID.test(id)) return undefined;
  const userId = Number(id);
  if (userId > 2_147_483_647) return undefined;
  const claims = await userClaims(c);
  return claims?.userId === userId ? { userId, limit } : undefined;
}
