import { sign, verify } from 'hono/jwt';

/** How long a user token lasts unless TOKEN_TTL_S says otherwise: a week, renewed by POST /token/refresh. */
export const DEFAULT_TOKEN_TTL_S = 7 * 24 * 60 * 60;

export interface TokenClaims {
  userId: number;
  /** Expiry, seconds since the epoch (required: a token without one is invalid). */
  exp: number;
  /** The user's token version when it was issued (`tv`; tokens from before versions count as 0). */
  version: number;
}

/** A user token: HS256, `sub` = the user's id as a string, `tv` = the user's token version, expiring after `ttlSeconds`. */
export async function signUserToken(secret: string, userId: number, ttlSeconds: number, version = 0): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: String(userId), tv: version, iat: now, exp: now + ttlSeconds }, secret, 'HS256');
}

/** The claims of a well-signed, unexpired token with a numeric `sub` and an `exp`, or undefined. */
export async function verifyUserToken(secret: string, token: string): Promise<TokenClaims | undefined> {
  try {
    // hono checks exp when present; the rest is ours: exp must be there, sub and tv well-formed.
    const payload = await verify(token, secret, 'HS256');
    const sub = typeof payload.sub === 'string' ? payload.sub : '';
    if (!/^[1-9]\d{0,9}$/.test(sub)) return undefined;
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return undefined;
    const tv = payload.tv ?? 0;
    if (!Number.isSafeInteger(tv) || (tv as number) < 0) return undefined;
    return { userId: Number(sub), exp: payload.exp, version: tv as number };
  } catch {
    return undefined;
  }
}
