import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { GENDERS } from '../../shared/genders.js';
import { poolOf } from '../../shared/pool.js';
import { requireSelf, userAuth } from '../auth.js';
import type { AppEnv } from '../context.js';
import { UserParam, errors, json } from '../schemas.js';

export const pool = new OpenAPIHono<AppEnv>();

const PoolBody = z
  .object({
    user_id: z.number().int(),
    eligible: z.number().int().openapi({ description: 'How many the eligibility rules admit right now' }),
    widen: z.object({
      age: z.number().int().openapi({ description: 'How many more with the preferred age range 2 years wider at each end (within 18-120)' }),
      height: z.number().int().openapi({ description: 'How many more with the preferred height range 5 cm wider at each end (within 100-250)' }),
      genders: z.partialRecord(z.enum(GENDERS), z.number().int()).openapi({ description: 'For each gender not yet in interested_in: how many more with it added' }),
    }),
  })
  .openapi('Pool');

pool.openapi(
  createRoute({
    method: 'get',
    path: '/pool/{user_id}',
    tags: ['feed'],
    summary: 'How many people your filters admit, and how many widening each filter would add',
    security: [{ bearer: [] }],
    middleware: [userAuth] as const,
    request: { params: UserParam },
    responses: { 200: json(PoolBody, 'The counts'), ...errors(400, 401, 403, 404) },
  }),
  async (c) => {
    const { user_id } = c.req.valid('param');
    requireSelf(c.get('userId'), user_id);
    return c.json(await poolOf(c.get('deps').db, user_id), 200);
  },
);
