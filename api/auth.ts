import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../shared/errors.js';
import { type TokenClaims, verifyUserToken } from '../shared/tokens.js';
import type { AppEnv } from './context.js';

const unauthorized = () => new AppError('UNAUTHORIZED', 'A valid token is required: send "Authorization: Bearer <token>".');

function bearer(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1];
}

// Checking an HS256 signature is a good share of a cached page's cost, so a verified token is
// remembered until it expires: per config (one secret), bounded, forgotten whole when full.
// Its version is then compared with the user's current one (an in-process cache, see
// shared/token-versions.ts): a signed-out, revoked or deleted user's tokens stop working.
const verified = new WeakMap<object, Map<string, TokenClaims>>();
const REMEMBER = 50_000;

async function claimsOf(secret: string, scope: object, token: string): Promise<TokenClaims | undefined> {
  let known = verified.get(scope);
  if (!known) verified.set(scope, (known = new Map()));
  let hit = known.get(token);
  if (!hit) {
    hit = await verifyUserToken(secret, token);
    if (!hit) return undefined;
    if (known.size >= REMEMBER) known.clear();
    known.set(token, hit);
  }
  return hit.exp > Date.now() / 1000 ? hit : undefined;
}

/** The Bearer token's claims if it is a valid user token at its user's current token version. */
export async function userClaims(c: Context<AppEnv>): Promise<TokenClaims | undefined> {
  const token = bearer(c.req.header('authorization'));
  const { config, tokenVersions } = c.get('deps');
  const claims = token ? await claimsOf(config.JWT_SECRET, config, token) : undefined;
  return claims && (await tokenVersions.current(claims.userId)) === claims.version ? claims : undefined;
}

/** Requires a valid user token of an existing user at their current token version; the route then checks it is the user named in the path (403 otherwise). */
export const userAuth = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await userClaims(c);
  if (!claims) throw unauthorized();
  c.set('userId', claims.userId);
  c.set('tokenVersion', claims.version);
  await next();
});

/**
 * Who is calling, as far as the credentials go, without refusing anyone (the routes do that):
 * a user, the operator, nobody (no Authorization header), or 'invalid' credentials.
 */
export async function identifyCaller(c: Context<AppEnv>): Promise<{ userId: number } | 'operator' | 'anonymous' | 'invalid'> {
  const header = c.req.header('authorization');
  if (header === undefined) return 'anonymous';
  const { config } = c.get('deps');
  const given = operatorSecret(header);
  if (given && sameSecret(given, config.ADMIN_TOKEN)) return 'operator';
  const token = bearer(header);
  const claims = token ? await claimsOf(config.JWT_SECRET, config, token) : undefined;
  if (!claims || (await c.get('deps').tokenVersions.current(claims.userId)) !== claims.version) return 'invalid';
  return { userId: claims.userId };
}

/**
 * A user token (the route then checks it names the path's user), or the operator token as a Bearer
 * token only: Basic credentials, which a browser resends on its own, never reach a user's data
 * this way. Sets `operator` ('bearer') for the operator, and leaves it unset for a user.
 */
export const userOrOperatorAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header('authorization'));
  if (token !== undefined && sameSecret(token, c.get('deps').config.ADMIN_TOKEN)) {
    c.set('operator', 'bearer');
    await next();
  } else {
    await userAuth(c, next);
  }
});

/** The path names the caller, or the caller is not allowed. */
export function requireSelf(callerId: number, userId: number): void {
  if (callerId !== userId) throw new AppError('FORBIDDEN', 'This token belongs to another user.');
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const basicOf = (header: string) => header.match(/^Basic\s+(\S+)\s*$/i)?.[1];

/** The secret of a Bearer token or the password of Basic auth. */
function operatorSecret(header: string): string | undefined {
  const basic = basicOf(header);
  if (!basic) return bearer(header);
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

function decodedUser(basic: string): string {
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decoded.slice(0, Math.max(0, decoded.indexOf(':'))).slice(0, 100);
}

/** The operator token, as a Bearer token or as the password of HTTP Basic auth (for the dashboard in a browser). */
export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const given = operatorSecret(header);
  const basic = basicOf(header);
  if (!given || !sameSecret(given, c.get('deps').config.ADMIN_TOKEN)) {
    c.header('WWW-Authenticate', 'Basic realm="matchmaker operators", charset="UTF-8"');
    throw new AppError('UNAUTHORIZED', 'The operator token is required (Bearer, or the password of Basic auth).');
  }
  // Who, for the audit log: the Basic user name an operator chose, else how they authenticated.
  c.set('operator', basic ? decodedUser(basic) || 'basic' : 'bearer');
  await next();
});
