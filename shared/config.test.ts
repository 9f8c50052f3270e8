import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const base = { DATABASE_URL: 'postgres://localhost/x', REDIS_URL: 'redis://localhost:6379', JWT_SECRET: 's'.repeat(16), ADMIN_TOKEN: 'a'.repeat(16) };

describe('parseConfig', () => {
  it('applies defaults and freezes the result', () => {
    const c = parseConfig(base);
    expect(c).toMatchObject({ PORT: 3000, NODE_ENV: 'production', RATE_LIMITS: 'on', REDIS_CLUSTER: 'off', FEED_CACHE_SIZE: 75, REDIS_PREFIX: 'mm', TRUST_PROXY: 0, TOKEN_TTL_S: 7 * 24 * 3600 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('keeps connections open longer than a proxy\'s 60 s idle timeout, headers timeout above keep-alive', () => {
    const c = parseConfig(base);
    expect(c.HTTP_KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
    expect(c.HTTP_HEADERS_TIMEOUT_MS).toBeGreaterThan(c.HTTP_KEEP_ALIVE_TIMEOUT_MS);
    expect(c.HTTP_REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(c.HTTP_HEADERS_TIMEOUT_MS);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: undefined }, 'DATABASE_URL'],
    [{ RATE_LIMITS: 'maybe' }, 'RATE_LIMITS'],
    [{ REDIS_CLUSTER: 'yes' }, 'REDIS_CLUSTER'],
    [{ REDIS_PREFIX: 'a:b' }, 'REDIS_PREFIX'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: '70000' }, 'HTTP_HEADERS_TIMEOUT_MS: must be greater than HTTP_KEEP_ALIVE_TIMEOUT_MS'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '60000' }, 'HTTP_REQUEST_TIMEOUT_MS: must be at least HTTP_HEADERS_TIMEOUT_MS'],
  ])('names the bad variable %o', (patch, name) => {
    expect(() => parseConfig({ ...base, ...patch })).toThrow(new RegExp(name));
  });

  it.each(['production', 'development', 'test', undefined])('refuses to start without the secrets (NODE_ENV=%s): nothing is made up', (NODE_ENV) => {
    const env = { ...base, NODE_ENV, JWT_SECRET: undefined, ADMIN_TOKEN: undefined };
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(/JWT_SECRET: is required/);
    expect(() => parseConfig(env)).toThrow(/ADMIN_TOKEN: is required/);
  });

  it('reads the rate limits and token lifetime, and turns the limits off', () => {
    const c = parseConfig({ ...base, RATE_LIMITS: 'off', RATE_LIMIT_SWIPES_PER_MINUTE: '5', TOKEN_TTL_S: '3600', TRUST_PROXY: '1' });
    expect(c).toMatchObject({ RATE_LIMITS: 'off', RATE_LIMIT_SWIPES_PER_MINUTE: 5, TOKEN_TTL_S: 3600, TRUST_PROXY: 1 });
    expect(() => parseConfig({ ...base, RATE_LIMIT_SWIPES_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_SWIPES_PER_MINUTE/);
    expect(() => parseConfig({ ...base, TOKEN_TTL_S: '10' })).toThrow(/TOKEN_TTL_S/);
  });
});
