// Find (or, as root with apt-get, install) redis-server and start/stop a daemonized
// instance of ours with persistence off: the app can rebuild everything in Redis from Postgres.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { errText, fileSize, logTail } from './postgres-server.js';

const run = promisify(execFile);
// disconnect() on an already closed client arms a 2s timer that keeps the process alive.
const close = (r: Redis) => { if (r.status !== 'end') r.disconnect(); };
const INSTALL_HINT =
  'install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:6379';

/** Returns undefined when the server answers PING, otherwise why not. */
export async function redisCheck(url: string): Promise<string | undefined> {
  // No retries, no offline queue, a command timeout: a probe must fail fast, also against a
  // port held by something that is not Redis and never answers.
  const r = new Redis(url, {
    lazyConnect: true, connectTimeout: 3000, commandTimeout: 3000, enableReadyCheck: false,
    maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null,
  });
  let lastError: Error | undefined; // connect() only says "Connection is closed"; the event says why
  r.on('error', (e: Error) => { lastError = e; });
  try {
    await r.connect();
    const pong = await r.ping();
    return pong === 'PONG' ? undefined : `PING answered ${pong}`;
  } catch (e) {
    return lastError?.message || (e as Error).message || String(e);
  } finally { close(r); }
}

async function which(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'];
  for (const d of dirs.filter(Boolean)) {
    const p = path.join(d, name);
    if (await fs.access(p, fs.constants.X_OK).then(() => true, () => false)) return p;
  }
  return undefined;
}

/** Path of redis-server; installs the Debian package when missing and we are root with apt-get. */
export async function findRedisServer(log: (m: string) => void): Promise<string> {
  const found = await which('redis-server');
  if (found) return found;
  if (process.getuid?.() !== 0 || !(await which('apt-get'))) throw new Error(`redis: redis-server is not installed: ${INSTALL_HINT}`);
  log('redis: redis-server not found; installing it with apt-get (about a minute)...');
  // Wait for a dpkg lock held by someone else instead of failing at once.
  const apt = (args: string[]) => run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024,
  });
  try {
    await apt(['update', '-q']);
    await apt(['install', '-y', '-q', '--no-install-recommends', 'redis-server']);
  } catch (e) {
    throw new Error(`redis: 'apt-get install redis-server' failed:\n${errText(e).split('\n').slice(-10).join('\n')}\nFix that, or ${INSTALL_HINT}`);
  }
  const installed = await which('redis-server');
  if (!installed) throw new Error(`redis: apt-get installed redis-server but it is not on PATH: ${INSTALL_HINT}`);
  log(`redis: installed ${installed}`);
  return installed;
}

export interface RedisStartOptions { bin: string; dir: string; port: number; logFile: string; pidFile: string; extraArgs?: string[] }

/** Start a daemonized redis-server on 127.0.0.1:port and wait until it answers PING. */
export async function startRedis(o: RedisStartOptions): Promise<void> {
  await fs.mkdir(o.dir, { recursive: true });
  const args = [
    '--port', String(o.port), '--bind', '127.0.0.1', '--daemonize', 'yes',
    '--dir', o.dir, '--pidfile', o.pidFile, '--logfile', o.logFile,
    '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...(o.extraArgs ?? []),
  ];
  const logFrom = await fileSize(o.logFile);
  const fail = async (why: string) =>
    new Error(`redis: could not start redis-server on port ${o.port} (${why}). Log ${o.logFile}:\n${await logTail(o.logFile, logFrom)}`);
  try { await run(o.bin, args, { cwd: o.dir }); } catch (e) { throw await fail(errText(e)); }
  const url = `redis://127.0.0.1:${o.port}`;
  let why: string | undefined = 'not answering';
  for (const deadline = Date.now() + 10_000; why && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 100));
    why = await redisCheck(url);
  }
  if (why) throw await fail(`no answer after 10s: ${why}`);
}

/** SHUTDOWN NOSAVE the server at url (or kill the pid in pidFile); returns whether one was running. */
export async function stopRedis(url: string, pidFile?: string): Promise<boolean> {
  if (!(await redisCheck(url))) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    await r.connect();
    await r.call('SHUTDOWN', 'NOSAVE').catch(() => {}); // the server closes the connection instead of replying
    close(r);
  } else if (pidFile) {
    const pid = Number(await fs.readFile(pidFile, 'utf8').catch(() => ''));
    if (!pid) return false;
    try { process.kill(pid, 'SIGTERM'); } catch { return false; } // with --save '' SIGTERM saves nothing
  } else return false;
  for (let i = 0; i < 100; i++) {
    if (await redisCheck(url)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis: server at ${url} did not stop within 10s`);
}

export interface RedisClusterOptions { bin: string; dir: string; ports: number[] }

/**
 * A local Redis Cluster of one master per port (no replicas): each node with its own dir and
 * cluster config file, then `redis-cli --cluster create`, then wait until every node says
 * cluster_state:ok. The cluster bus listens on port + 10000, so ports must be 55535 or below.
 */
export async function startRedisCluster(o: RedisClusterOptions): Promise<void> {
  if (o.ports.some((p) => p > 55535)) throw new Error(`redis: cluster ports must be 55535 or below (bus = port + 10000): ${o.ports}`);
  await Promise.all(o.ports.map((port) => {
    const dir = path.join(o.dir, String(port));
    return startRedis({
      bin: o.bin, dir, port, logFile: path.join(dir, 'redis.log'), pidFile: path.join(dir, 'redis.pid'),
      extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--cluster-node-timeout', '5000'],
    });
  }));
  const cli = path.join(path.dirname(o.bin), 'redis-cli');
  try {
    await run(cli, ['--cluster', 'create', ...o.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  } catch (e) { throw new Error(`redis: redis-cli --cluster create failed: ${errText(e)}`); }
  for (const deadline = Date.now() + 20_000; ;) {
    const states = await Promise.all(o.ports.map(async (port) => {
      const r = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      try { await r.connect(); return /cluster_state:ok/.test(String(await r.call('CLUSTER', 'INFO'))); } catch { return false; } finally { close(r); }
    }));
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`redis: cluster on ports ${o.ports} not ok after 20s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops every node of a cluster started by startRedisCluster. */
export async function stopRedisCluster(o: Pick<RedisClusterOptions, 'dir' | 'ports'>): Promise<void> {
  await Promise.allSettled(o.ports.map((port) => stopRedis(`redis://127.0.0.1:${port}`, path.join(o.dir, String(port), 'redis.pid'))));
}
