// Rate limits on Redis (rate-limiter-flexible), so that every API process shares the counters.
// Fixed windows. Each counter is one key and one single-key Lua call, so it works on Redis Cluster
// as it is; the subject (user or address) is the key's hash tag, so that one subject's counters share
// a slot and different subjects spread over the cluster.
// Redis away: each process counts on its own in memory (the insurance limiter), so requests are
// still answered and still limited, per process, until Redis is back.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { batchWrites } from './redis.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What is limited; each action is checked against every window listed for it, in order. */
export type Action = 'register' | 'swipe' | 'like' | 'feed' | 'safety';

interface Window {
  name: string;
  points: number;
  seconds: number;
}

function windows(config: Config): Record<Action, Window[]> {
  return {
    register: [
      { name: 'register-hour', points: config.RATE_LIMIT_REGISTRATIONS_PER_HOUR, seconds: HOUR },
      { name: 'register-day', points: config.RATE_LIMIT_REGISTRATIONS_PER_DAY, seconds: DAY },
    ],
    swipe: [
      { name: 'swipe-minute', points: config.RATE_LIMIT_SWIPES_PER_MINUTE, seconds: MINUTE },
      { name: 'swipe-day', points: config.RATE_LIMIT_SWIPES_PER_DAY, seconds: DAY },
    ],
    like: [{ name: 'like-day', points: config.RATE_LIMIT_LIKES_PER_DAY, seconds: DAY }],
    feed: [{ name: 'feed-minute', points: config.RATE_LIMIT_FEED_PER_MINUTE, seconds: MINUTE }],
    safety: [{ name: 'safety-hour', points: config.RATE_LIMIT_SAFETY_PER_HOUR, seconds: HOUR }],
  };
}

const messages: Record<Action, string> = {
  register: 'Too many new accounts from this address',
  swipe: 'Too many swipes',
  like: 'Too many likes today',
  feed: 'Too many feed requests',
  safety: 'Too many blocks and reports',
};

export interface RateLimits {
  readonly enabled: boolean;
  /**
   * Counts one `action` by `subject` (a user id or a client address) and throws 429 RATE_LIMITED,
   * with Retry-After, when any of its windows is over its limit. Call it before writing anything.
   */
  consume(action: Action, subject: string | number): Promise<void>;
}

export function createRateLimits(config: Config, redis: Redis): RateLimits {
  if (config.RATE_LIMITS === 'off') return { enabled: false, consume: async () => {} };
  const limiters = Object.fromEntries(
    Object.entries(windows(config)).map(([action, ws]) => [
      action,
      ws.map(
        (w) =>
          new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `${config.REDIS_PREFIX}:rl:${w.name}`,
            points: w.points,
            duration: w.seconds,
            // Straight to the insurance limiter while Redis is not connected, instead of waiting on it.
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory({ keyPrefix: w.name, points: w.points, duration: w.seconds }),
            // Once a subject is over, this process answers it from memory until the window ends (a burst
            // of 2,000 requests costs Redis one call per window, not 2,000).
            inMemoryBlockOnConsumed: w.points + 1,
          }),
      ),
    ]),
  ) as Record<Action, RateLimiterRedis[]>;

  return {
    enabled: true,
    async consume(action, subject) {
      // Every request counts: its call goes out in one write with the turn's others (redis.ts).
      batchWrites(redis);
      for (const limiter of limiters[action]) {
        try {
          await limiter.consume(`{${subject}}`);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          throw new AppError('RATE_LIMITED', `${messages[action]}: try again in ${seconds} s.`, undefined, { 'Retry-After': String(seconds) });
        }
      }
    },
  };
}
