// Request and response shapes shared by the routes, for validation and the OpenAPI document.
import { z } from '@hono/zod-openapi';
import { GENDERS } from '../shared/genders.js';

const id = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'must be a positive integer id')
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, 'is not a user id'));

/** A positive integer id in the path, named `name`. */
export const idParam = (name: string) => id.openapi({ param: { name, in: 'path' }, type: 'integer' });
export const UserParam = z.object({ user_id: idParam('user_id') });
export const PairParam = z.object({
  user_id: id.openapi({ param: { name: 'user_id', in: 'path' }, type: 'integer' }),
  liked_user_id: id.openapi({ param: { name: 'liked_user_id', in: 'path' }, type: 'integer' }),
});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const Card = z
  .object({
    id: z.number().int(),
    name: z.string(),
    age: z.number().int(),
    height: z.number().int(),
    gender: z.enum(GENDERS).nullable(),
    bio: z.string().nullable(),
    interests: z.array(z.string()).openapi({ description: 'Up to 10 tags, lower-case', example: ['hiking', 'jazz'] }),
  })
  .openapi('Card');

export const Profile = Card.extend({
  interested_in: z.array(z.enum(GENDERS)).nullable(),
  preferred_age_min: z.number().int(),
  preferred_age_max: z.number().int(),
  preferred_height_min: z.number().int(),
  preferred_height_max: z.number().int(),
}).openapi('Profile');

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** The error responses a route can give, for the document. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { ...json(ErrorBody, errorDescriptions[s] ?? 'Error'), ...(s === 429 ? { headers: retryAfter } : {}) }]));

const retryAfter = { 'Retry-After': { description: 'Seconds until the limit lets this request through', schema: { type: 'integer' as const, minimum: 1 } } };

const errorDescriptions: Record<number, string> = {
  400: 'Invalid input',
  401: 'Missing or invalid token',
  403: 'The token is for another user',
  404: 'Not found',
  413: 'Body over 64 KiB',
  415: 'Body is not JSON',
  429: 'Over a rate limit: nothing was done; Retry-After says in how many seconds to try again',
  503: 'Postgres or Redis is unavailable; try again shortly',
};
