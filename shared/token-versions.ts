// Each user's current token version (users.token_version), cached in-process so that checking a
// token on the hot feed path is a Map lookup. Postgres is the truth; Redis pub/sub only carries
// "user N changed" so that every API process forgets its copy at once.
//
// How stale a copy may be:
// - in the process that changed the version: never (it forgets before answering);
// - in other processes, while their subscription to Redis is up: the pub/sub delay (milliseconds);
// - while it is down (Redis away, reconnecting): at most UNLISTENED_MS; the whole cache is dropped
//   again once the subscription is back, since messages may have been missed meanwhile;
// - in any case at most MAX_AGE_MS (a message lost on a connection that had not noticed it was dead).
import type { Redis } from 'ioredis';
import { type Db, rows } from './db.js';
import { AppError } from './errors.js';

export const UNLISTENED_MS = 1_000;
export const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 200_000;

interface Entry {
  version: number | undefined; // undefined: no such user (deleted)
  at: number;
}

export class TokenVersions {
  private readonly cache = new Map<number, Entry>();
  private readonly inflight = new Map<number, Promise<number | undefined>>();
  private readonly sub: Redis;
  private readonly channel: string;
  private listening = false;
  private wanted = false;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    this.channel = `${prefix}:token-versions`;
    // A connection of its own: a subscribed connection can do nothing else.
    // (A Cluster client's duplicate() takes its startup nodes first, and per-node options apart.)
    const cluster = (redis as { isCluster?: boolean }).isCluster === true;
    this.sub = cluster
      ? (redis as unknown as { duplicate(nodes: unknown[], o: object): Redis }).duplicate([], { lazyConnect: true, enableOfflineQueue: true, redisOptions: { maxRetriesPerRequest: null } })
      : redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.sub.on('error', () => {});
    this.sub.on('message', (_channel: string, message: string) => this.forgetLocally(Number(message)));
    const down = () => {
      this.listening = false;
    };
    this.sub.on('close', down);
    this.sub.on('reconnecting', down);
    // ioredis subscribes again by itself on reconnect; what was published meanwhile is unknown.
    this.sub.on('ready', () => {
      if (this.wanted) this.resubscribed();
    });
    this.sub
      .connect()
      .then(() => this.sub.subscribe(this.channel))
      .then(() => {
        this.wanted = true;
        this.resubscribed();
      })
      .catch(() => {});
  }

  private resubscribed(): void {
    this.cache.clear();
    this.inflight.clear();
    this.listening = true;
  }

  /** True while changes made by other processes reach this one at once. */
  get subscribed(): boolean {
    return this.listening;
  }

  /** The user's current token version, or undefined when the user does not exist. */
  async current(userId: number): Promise<number | undefined> {
    const hit = this.cache.get(userId);
    const age = hit ? this.now() - hit.at : Infinity;
    if (hit && age <= (this.listening ? MAX_AGE_MS : UNLISTENED_MS)) return hit.version;
    let pending = this.inflight.get(userId);
    if (!pending) {
      const ticket: { promise?: Promise<number | undefined> } = {};
      pending = ticket.promise = this.load(userId, hit, ticket);
      this.inflight.set(userId, pending);
    }
    return pending;
  }

  private async load(userId: number, stale: Entry | undefined, ticket: { promise?: Promise<number | undefined> }): Promise<number | undefined> {
    let version: number | undefined;
    try {
      const [row] = await rows<{ token_version: number }>(this.db, 'get_token_version', [userId]);
      version = row?.token_version;
    } catch {
      if (this.inflight.get(userId) === ticket.promise) this.inflight.delete(userId);
      // Postgres away: the last known version rather than refusing everyone (no revocation can
      // commit meanwhile either); without one, the client hears that we are unavailable.
      if (stale) return stale.version;
      throw new AppError('UNAVAILABLE', 'Cannot check the token right now; try again shortly.');
    }
    // Kept only if nobody forgot this user while the query ran (else it may predate a change).
    if (this.inflight.get(userId) === ticket.promise) {
      this.inflight.delete(userId);
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(userId, { version, at: this.now() });
    }
    return version;
  }

  /**
   * Raises the user's version in Postgres: every token issued before is invalid from now on, in this
   * process at once, in others as soon as the message arrives (see the bounds above).
   * Returns the new version, or undefined when there is no such user.
   */
  async bump(db: Db, userId: number): Promise<number | undefined> {
    const [row] = await rows<{ token_version: number }>(db, 'bump_token_version', [userId]);
    await this.changed(userId);
    return row?.token_version;
  }

  /**
   * Call after anything that invalidates a user's tokens has committed (a version bump, the account's
   * deletion): forgets the cached version here and tells the other processes. Never throws: with Redis
   * away the others find out within UNLISTENED_MS anyway.
   */
  async changed(userId: number): Promise<void> {
    this.forgetLocally(userId);
    await this.redis.publish(this.channel, String(userId)).catch(() => {});
  }

  private forgetLocally(userId: number): void {
    if (!Number.isInteger(userId)) return;
    this.cache.delete(userId);
    this.inflight.delete(userId);
  }

  async close(): Promise<void> {
    this.sub.disconnect();
  }
}
