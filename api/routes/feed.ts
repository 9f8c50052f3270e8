import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { requireSelf, userAuth } from '../auth.js';
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
    const deps = c.get('deps');
    const page = await deps.feed.page(user_id, limit);
    deps.metrics.feedPages.inc({ source: page.rendered ? 'rendered' : page.source });
    // The documented shape, assembled from the cards' stored JSON (shared/feed-rank.ts), or as stored.
    return c.body(page.body ?? pageBody(user_id, page), 200, { 'Content-Type': 'application/json' }) as unknown as ReturnType<typeof c.json<PageBody, 200>>;
  },
);
