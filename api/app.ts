// Builds the HTTP app without listening, so tests call it with app.request().
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { AppError, fromInfraError, fromPgError } from '../shared/errors.js';
import { unstorableFields } from '../shared/storable-text.js';
import { DRAIN_LIMIT } from './connections.js';
import type { AppEnv, Deps } from './context.js';
import { documentIdempotencyKey, idempotency } from './idempotency.js';
import { accounts } from './routes/accounts.js';
import { adminRoutes } from './routes/admin.js';
import { blocks } from './routes/blocks.js';
import { feed, plainFeedRead, servePage } from './routes/feed.js';
import { moderation } from './routes/moderation.js';
import { ops } from './routes/ops.js';
import { pool } from './routes/pool.js';
import { profiles } from './routes/profiles.js';
import { swipes } from './routes/swipes.js';
import { tokens } from './routes/tokens.js';

const MAX_BODY = 64 * 1024;

const fromHttp: Record<number, AppError> = {
  400: new AppError('MALFORMED_JSON', 'The request body is not valid JSON.'),
  401: new AppError('UNAUTHORIZED', 'A valid token is required.'),
  404: new AppError('NOT_FOUND', 'No such route.'),
  413: new AppError('PAYLOAD_TOO_LARGE', `The request body is over ${MAX_BODY / 1024} KiB.`),
  415: new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with "Content-Type: application/json".'),
};

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) return fromHttp[err.status];
  return fromPgError(err) ?? fromInfraError(err);
}

const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;|$)/i;

/**
 * Any string in a JSON body or the query that Postgres would refuse (NUL) or alter (a lone surrogate)
 * is a 400 naming it, for every route and field, including those added later. A body that is not
 * JSON is left to the route's own validation (MALFORMED_JSON); a body over the limit to bodyLimit.
 */
const refuseUnstorableText = createMiddleware<AppEnv>(async (c, next) => {
  const details = unstorableFields(c.req.queries(), 'query');
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && JSON_TYPE.test(c.req.header('content-type') ?? '')) {
    const body = await c.req.json().catch((err: unknown) => {
      if (err instanceof SyntaxError) return undefined;
      throw err;
    });
    details.push(...unstorableFields(body));
  }
  if (details.length) throw new AppError('VALIDATION_ERROR', 'The request has text that cannot be stored.', details);
  await next();
});

const ALIVE = JSON.stringify({ status: 'ok' });

/**
 * A plain `GET /healthz` from the HTTP server is answered before hono dispatches. The route above
 * matches it first, but so does every `app.use` below it, and a request that matches more than one
 * handler goes through hono's composed chain, whose answer comes back as a promise and is written a
 * microtask later: about a tenth of the route's CPU (34-38 µs a request with this, 37-42 without,
 * issue 7). The route stays for in-process requests (app.request) and the OpenAPI document.
 */
function answerLivenessFirst(app: { fetch: (req: Request, env?: unknown, ctx?: never) => Response | Promise<Response> }) {
  const dispatch = app.fetch;
  app.fetch = (req, env, ctx) => {
    const incoming = (env as { incoming?: { url?: string; method?: string } } | undefined)?.incoming;
    if (incoming?.url === '/healthz' && incoming.method === 'GET') return new Response(ALIVE, { headers: { 'content-type': 'application/json' } });
    return dispatch(req, env, ctx);
  };
}

export interface AppOptions {
  /** Answer plain feed reads before the middleware (routes/feed.ts plainFeedRead); off only to compare the two in tests. */
  feedFastPath?: boolean;
}

export function createApp(deps: Deps, opts: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv>({
    // A body, path or query that fails its schema: one 400 naming every bad field.
    defaultHook: (result) => {
      if (result.success) return;
      const details = result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      throw new AppError('VALIDATION_ERROR', 'The request has invalid fields.', details);
    },
  });

  // Liveness answers before any middleware: a load balancer's probe costs no more than a bare route,
  // and it says only that this process serves HTTP (readiness, which checks the services, is /readyz).
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  const observe = (c: Context<AppEnv>, route: string, status: number, started: number) =>
    deps.metrics.httpDuration.observe({ method: c.req.method, route, status }, (performance.now() - started) / 1000);

  // The hottest read in its common form skips the middleware below, which has nothing to do for it;
  // anything else about it (a query to validate, a token to refuse, a body) goes on to the full route.
  if (opts.feedFastPath !== false) {
    app.get('/potential_matches/:user_id', async (c, next) => {
      c.set('deps', deps);
      const started = performance.now();
      const plain = await plainFeedRead(c);
      if (!plain) return next();
      let res: Response;
      try {
        await deps.limits.consume('feed', `user:${plain.userId}`);
        res = await servePage(c, plain.userId, plain.limit);
      } catch (err) {
        res = respondToError(err, c);
      }
      observe(c, '/potential_matches/:user_id', res.status, started);
      return res;
    });
  }

  app.use(async (c, next) => {
    c.set('deps', deps);
    const started = performance.now();
    await next();
    observe(c, c.req.routePath || 'unmatched', c.res.status, started);
  });
  const limitBody = bodyLimit({
    maxSize: MAX_BODY,
    onError: (c) => {
      // A body too big to read and discard (connections.ts) ends the connection: say so, so the client
      // sends its next request on another one.
      if (Number(c.req.header('content-length')) > DRAIN_LIMIT) c.header('Connection', 'close');
      throw fromHttp[413];
    },
  });
  // A request that declares no body skips it: asking for the body (c.req.raw.body) builds a full WHATWG
  // Request and AbortSignal, which a feed read or a like has no use for (that was a third of a like's
  // CPU, issue 7). Declaring none: no Transfer-Encoding and no (or a zero) Content-Length, which over
  // HTTP/1.1 means an empty body whatever the method. A Request made in process (app.request) may carry
  // an undeclared body, so there only a GET or HEAD counts as bodiless.
  const noBody = (c: Context) => {
    const length = c.req.header('content-length');
    if ((length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined) return false;
    const overHttp1 = (c.env as { incoming?: { httpVersionMajor?: number } } | undefined)?.incoming?.httpVersionMajor === 1;
    return overHttp1 || c.req.method === 'GET' || c.req.method === 'HEAD';
  };
  app.use((c, next) => (noBody(c) ? next() : limitBody(c, next)));

  // After bodyLimit (the fingerprint reads the body), before every route: all POSTs, present and future.
  app.use(idempotency);
  // After idempotency, which fingerprints the raw bytes (read first, they are what hono keeps).
  app.use(refuseUnstorableText);

  app.route('/', ops);
  app.route('/', profiles);
  app.route('/', swipes);
  app.route('/', feed);
  app.route('/', pool);
  app.route('/', tokens);
  app.route('/', accounts);
  app.route('/', blocks);
  app.route('/', moderation);
  app.route('/', adminRoutes(deps.queues));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'operator', { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN (or as the password of Basic auth)' });
  // The routes outside the typed sub-apps, so that the reference lists every route.
  const plain = (path: string, summary: string, tags: string[], description: string, security?: { operator: never[] }[]) =>
    app.openAPIRegistry.registerPath({ method: 'get', path, summary, tags, security, responses: { 200: { description } } });
  plain('/healthz', 'Liveness: 200 while the process runs', ['operations'], 'Alive');
  plain('/readyz', 'Readiness: 200 when Postgres, Redis and the live index answer, else 503', ['operations'], 'Ready');
  plain('/metrics', 'Prometheus metrics', ['operations'], 'Prometheus text format');
  plain('/openapi.json', 'This document', ['operations'], 'OpenAPI 3.1');
  plain('/docs', 'This interactive reference', ['operations'], 'HTML');
  plain('/admin/queues', 'The Bull Board dashboard (Basic auth: any user name, ADMIN_TOKEN as password)', ['operators'], 'HTML', [{ operator: [] }]);
  app.get('/openapi.json', (c) =>
    c.json(
      documentIdempotencyKey(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: { title: 'Matchmaker API', version: '0.1.0', description: 'Profiles, swipes, matches and ranked mutual feeds.' },
        }),
      ),
    ),
  );

  app.notFound(() => {
    throw fromHttp[404];
  });
  app.onError((err, c: Context<AppEnv>) => respondToError(err, c));
  answerLivenessFirst(app);
  return app;

  function respondToError(err: unknown, c: Context<AppEnv>): Response {
    const known = toAppError(err);
    if (known) {
      for (const [name, value] of Object.entries(known.headers ?? {})) c.header(name, value);
      if (known.code === 'UNAUTHORIZED' && !c.res.headers.has('WWW-Authenticate')) c.header('WWW-Authenticate', 'Bearer');
      if (known.code === 'UNAVAILABLE') {
        deps.log.warn({ err, path: c.req.path }, 'a backing service is unavailable');
        c.header('Retry-After', '2');
      }
      return c.json(known.toBody(), known.status);
    }
    deps.log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(new AppError('INTERNAL', 'Something went wrong on our side.').toBody(), 500);
  }
}
