import { sign, verify } from 'hono/jwt';

const DAY = 24 * 60 * 60;

/** A user token: HS256, `sub` = the user's id as a string, expiring after `ttlSeconds`. */
export async function signUserToken(secret: string, userId: number, ttlSeconds = 30 * DAY): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: String(userId), iat: now, exp: now + ttlSeconds }, secret, 'HS256');
}

/** The user id and expiry (s) of a valid token, or undefined (bad signature, expired, malformed, no numeric sub). */
export async function verifyUserToken(secret: string, token: string): Promise<{ userId: number; exp?: number } | undefined> {
  try {
    const payload = await verify(token, secret, 'HS256');
    const sub = typeof payload.sub === 'string' ? payload.sub : '';
    if (!/^[1-9]\d{0,9}$/.test(sub)) return undefined;
    return { userId: Number(sub), exp: typeof payload.exp === 'number' ? payload.exp : undefined };
  } catch {
    return undefined;
  }
}
