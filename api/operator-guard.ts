// The operator surface is opened in a browser with Basic auth, which the browser sends again on any
// request to this host, whoever's page made it. So a write (any method but GET/HEAD) must come from
// our own origin; every write is logged with who and from where.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../shared/errors.js';
import type { AppEnv } from './context.js';
import { requestAddress } from './limits.js';

const READS = new Set(['GET', 'HEAD']);

/** The host the browser addressed (behind trusted proxies, the one they forwarded). */
function ownHost(c: Context<AppEnv>): string | undefined {
  const forwarded = c.get('deps').config.TRUST_PROXY > 0 ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  return (forwarded || c.req.header('host') || new URL(c.req.url).host).toLowerCase();
}

/** Why a request is cross-origin, or undefined when it is not (no browser headers: curl, scripts). */
export function crossOrigin(c: Context<AppEnv>): string | undefined {
  const site = c.req.header('sec-fetch-site')?.toLowerCase();
  // same-site is a sibling subdomain: another origin all the same. none: typed or bookmarked.
  if (site && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = c.req.header('origin');
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    host = undefined; // "null" (sandboxed pages, redirects) and anything unparsable
  }
  return host && host === ownHost(c) ? undefined : `Origin: ${origin}`;
}

/** 403 for a write from another origin; an audit line for every write. Mount before the operator routes. */
export const operatorGuard = createMiddleware<AppEnv>(async (c, next) => {
  if (READS.has(c.req.method)) return next();
  const { log } = c.get('deps');
  const who = { address: requestAddress(c), method: c.req.method, path: c.req.path };
  const why = crossOrigin(c);
  if (why) {
    log.warn({ ...who, refused: why }, 'operator write refused: cross-origin');
    throw new AppError('FORBIDDEN', 'Operator actions are accepted only from this site\'s own pages.');
  }
  await next();
  // After the handler: adminAuth has named the operator (unset when authentication failed).
  log.info({ ...who, operator: c.get('operator') ?? null, status: c.res.status, ...(c.get('audit') ?? {}) }, 'operator action');
});
