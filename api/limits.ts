// Rate-limit middleware: runs before the handler, so an over-limit request writes nothing.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { addressKey, clientAddress } from '../shared/client-address.js';
import type { Action } from '../shared/rate-limits.js';
import type { AppEnv } from './context.js';

// Requests without a socket (app.request in tests, some adapters) share one key rather than none.
const NO_ADDRESS = 'unknown';

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The client's address as the logs and limits see it (TRUST_PROXY decides whether X-Forwarded-For counts). */
export function requestAddress(c: Context<AppEnv>): string | undefined {
  return clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), c.get('deps').config.TRUST_PROXY);
}

/** Limits `action` per client address (an IPv6 /64 counts as one). */
export const limitPerAddress = (action: Action) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const address = requestAddress(c);
    await c.get('deps').limits.consume(action, address ? `ip:${addressKey(address)}` : NO_ADDRESS);
    await next();
  });

/** Limits `actions` per signed-in user (after userAuth). */
export const limitPerUser = (...actions: Action[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { limits } = c.get('deps');
    for (const action of actions) await limits.consume(action, `user:${c.get('userId')}`);
    await next();
  });
