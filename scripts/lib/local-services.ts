// Decide where Postgres and Redis are for a command: DATABASE_URL/REDIS_URL when set, else
// (dev) a developer's default servers or our own under .data/, (test) throwaway servers.
import fs from 'node:fs/promises';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDatabase, pgCheck, startPostgres, stopPostgres } from './postgres-server.js';
import { findRedisServer, redisCheck, startRedis, startRedisCluster, stopRedis, stopRedisCluster } from './redis-server.js';

/** redisCluster: the URL names one node of a Redis Cluster (REDIS_CLUSTER=on). */
export interface LocalServices { databaseUrl: string; redisUrl: string; redisCluster: boolean; stop(): Promise<void> }

type Log = (msg: string) => void;
interface Service { url: string; stop(): Promise<void> }

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA = path.join(ROOT, '.data');
// Fixed ports for the project-local dev servers, so every command (and stop-services) finds them.
export const DEV = {
  pgDir: path.join(DATA, 'postgres'), pgUrl: 'postgres://postgres@127.0.0.1:54329/postgres',
  redisDir: path.join(DATA, 'redis'), redisUrl: 'redis://127.0.0.1:63799',
};
const DEV_DB = 'matchmaker';
// One apt-get at a time across all our processes (dev and test runs may start together).
const findRedis = (log: Log) => withLock(path.join(os.tmpdir(), 'matchmaker-redis-install.lock'), () => findRedisServer(log));
const TEST_PG_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300', 'shared_buffers=256MB'];
const noop = async () => {};
const readOr = (file: string) => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };
const rel = (p: string) => path.relative(process.cwd(), p) || '.';
const withDb = (url: string, db: string) => { const u = new URL(url); u.pathname = `/${db}`; return u.toString(); };
const redact = (url: string) => { try { const u = new URL(url); if (u.password) u.password = '***'; return u.toString(); } catch { return url; } };

/** Serialize starts across processes (`npm start` and `npm run seed` at once) with an O_EXCL file holding our pid. */
async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  for (let i = 0; ; i++) {
    try { await (await fs.open(file, 'wx')).close(); break; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(await fs.readFile(file, 'utf8').catch(() => ''));
    let alive = i < 20; // a just-created file may not hold its pid yet: give it 2s
    if (pid) try { process.kill(pid, 0); alive = true; } catch { alive = false; }
    if (!alive || i > 6000) await fs.rm(file, { force: true }); // holder died, or 10 minutes passed
    await new Promise((r) => setTimeout(r, 100));
  }
  await fs.writeFile(file, String(process.pid));
  try { return await fn(); } finally { await fs.rm(file, { force: true }); }
}

/** Free TCP ports from the OS: listen on port 0, all at once so they differ, then close. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((ok, fail) => {
    const s = net.createServer().once('error', fail);
    s.listen(0, '127.0.0.1', () => ok(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const canListen = (port: number) => new Promise<boolean>((ok) => {
  const s = net.createServer().once('error', () => ok(false));
  s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
});

/** Ports for cluster nodes: in 30000-45535, so that the bus (port + 10000) stays at 55535 or below; both free now. */
async function freeClusterPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < n; tries++) {
    if (tries > 1000) throw new Error('redis: found no free ports for a local cluster in 30000-45535');
    const port = 30000 + Math.floor(Math.random() * 15536);
    if (ports.includes(port) || ports.includes(port + 10000) || ports.includes(port - 10000)) continue;
    if ((await canListen(port)) && (await canListen(port + 10000))) ports.push(port);
  }
  return ports;
}

async function fromEnv(name: string, url: string, check: (u: string) => Promise<string | undefined>, log: Log): Promise<Service> {
  const why = await check(url);
  if (why) throw new Error(`${name}=${redact(url)} is set but not usable: ${why}. Start that server (or create that database), fix ${name}, or unset it to let this command start a local server.`);
  log(`${name.startsWith('DATABASE') ? 'postgres' : 'redis'}: using ${name} (${redact(url)})`);
  return { url, stop: noop };
}

async function devPostgres(log: Log): Promise<Service> {
  const theirs = 'postgres://postgres@127.0.0.1:5432/postgres';
  const why = await pgCheck(theirs);
  if (!why) {
    await ensureDatabase(theirs, DEV_DB, log);
    log('postgres: using the server at 127.0.0.1:5432 (user postgres)');
    return { url: withDb(theirs, DEV_DB), stop: noop };
  }
  if (!/ECONNREFUSED/.test(why)) log(`postgres: 127.0.0.1:5432 did not let us in (${why}); using our own server`);
  await withLock(path.join(DATA, 'postgres.lock'), async () => {
    if (!(await pgCheck(DEV.pgUrl))) return log(`postgres: reusing the server on 127.0.0.1:54329 (data in ${rel(DEV.pgDir)})`);
    await startPostgres({ dataDir: DEV.pgDir, port: 54329, logFile: path.join(DATA, 'postgres.log'), settings: ['max_connections=200'] });
    log(`postgres: started on 127.0.0.1:54329 (data in ${rel(DEV.pgDir)}; stop with npm run services:stop)`);
  });
  await ensureDatabase(DEV.pgUrl, DEV_DB, log);
  return { url: withDb(DEV.pgUrl, DEV_DB), stop: noop };
}

async function devRedis(log: Log): Promise<Service> {
  const theirs = 'redis://127.0.0.1:6379';
  if (!(await redisCheck(theirs))) {
    log('redis: using the server at 127.0.0.1:6379');
    return { url: theirs, stop: noop };
  }
  await withLock(path.join(DATA, 'redis.lock'), async () => {
    const why = await redisCheck(DEV.redisUrl);
    if (!why) return log(`redis: reusing the server on 127.0.0.1:63799`);
    if (!/ECONNREFUSED/.test(why)) throw new Error(`redis: port 63799 is taken by something that does not answer as Redis (${why}): free it, or set REDIS_URL`);
    const bin = await findRedis(log);
    await startRedis({ bin, dir: DEV.redisDir, port: 63799, logFile: path.join(DATA, 'redis.log'), pidFile: path.join(DEV.redisDir, 'redis.pid') });
    log(`redis: started on 127.0.0.1:63799 (dir ${rel(DEV.redisDir)}; stop with npm run services:stop)`);
  });
  return { url: DEV.redisUrl, stop: noop };
}

/**
 * Throwaway servers in one mkdtemp dir, removed by stop() (or, as a last resort, at process exit).
 * With cluster: three cluster-enabled masters instead of one Redis (REDIS_CLUSTER=on npm test).
 */
async function testServers(wantPg: boolean, wantRedis: boolean, cluster: boolean, log: Log): Promise<{ pg?: Service; redis?: Service }> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'matchmaker-test-'));
  await fs.chmod(base, 0o755); // as root, the postgres user must reach the data dir inside
  const [pgPort, singlePort] = await freePorts(2);
  const nodes = cluster && wantRedis ? await freeClusterPorts(3) : [];
  const redisPort = cluster ? nodes[0] : singlePort;
  const pgDir = path.join(base, 'postgres');
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redisPid = path.join(base, 'redis', 'redis.pid');
  const clusterDir = path.join(base, 'redis-cluster');
  const redisPids = cluster ? nodes.map((p) => path.join(clusterDir, String(p), 'redis.pid')) : [redisPid];
  let stopped = false;
  const killAll = () => { // sync: runs in process 'exit' when stop() was never awaited
    for (const [file, sig] of [[path.join(pgDir, 'postmaster.pid'), 'SIGQUIT'], ...redisPids.map((f) => [f, 'SIGTERM'] as const)] as const) {
      const pid = Number(readOr(file).split('\n')[0]); // never 0: kill(0) would hit our own process group
      if (pid > 0) try { process.kill(pid, sig); } catch { /* not running */ }
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', () => { if (!stopped) killAll(); });
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled([
      wantPg && stopPostgres(pgDir, 'immediate'),
      wantRedis && (cluster ? stopRedisCluster({ dir: clusterDir, ports: nodes }) : stopRedis(redisUrl, redisPid)),
    ]);
    await fs.rm(base, { recursive: true, force: true });
  };
  const started = await Promise.allSettled([
    wantPg && startPostgres({ dataDir: pgDir, port: pgPort, logFile: path.join(base, 'postgres.log'), settings: TEST_PG_SETTINGS })
      .then((b) => log(`postgres: started throwaway PostgreSQL ${b.major} (${b.source}) on 127.0.0.1:${pgPort}`)),
    wantRedis && !cluster && findRedis(log)
      .then((bin) => startRedis({ bin, dir: path.join(base, 'redis'), port: singlePort!, logFile: path.join(base, 'redis.log'), pidFile: redisPid }))
      .then(() => log(`redis: started throwaway server on 127.0.0.1:${singlePort}`)),
    wantRedis && cluster && findRedis(log)
      .then((bin) => startRedisCluster({ bin, dir: clusterDir, ports: nodes }))
      .then(() => log(`redis: started a throwaway 3-master cluster on 127.0.0.1:${nodes.join(',')}`)),
  ]);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) { await stop(); throw failed.reason; }
  const one = { url: '', stop }; // both share one stop(): it stops whatever was started
  return {
    pg: wantPg ? { ...one, url: `postgres://postgres@127.0.0.1:${pgPort}/postgres` } : undefined,
    redis: wantRedis ? { ...one, url: redisUrl } : undefined,
  };
}

/** `env`: where DATABASE_URL, REDIS_URL and REDIS_CLUSTER are read (the benchmark asks for a cluster beside its single Redis). */
export async function ensureLocalServices(purpose: 'dev' | 'test', log: Log = (m) => console.error(m), env: NodeJS.ProcessEnv = process.env): Promise<LocalServices> {
  const envPg = env.DATABASE_URL, envRedis = env.REDIS_URL;
  const redisCluster = env.REDIS_CLUSTER === 'on';
  let pg: Service | undefined, redis: Service | undefined;
  if (purpose === 'dev' && redisCluster && !envRedis) throw new Error('REDIS_CLUSTER=on needs REDIS_URL: the URL of one node of your cluster');
  if (purpose === 'test') {
    const own = envPg && envRedis ? {} : await testServers(!envPg, !envRedis, redisCluster, log);
    [pg, redis] = [own.pg, own.redis];
  }
  // Each service is decided on its own; dev ones start in parallel (apt-get may take a while).
  const results = await Promise.allSettled([
    pg ?? (envPg ? fromEnv('DATABASE_URL', envPg, pgCheck, log) : devPostgres(log)),
    redis ?? (envRedis ? fromEnv('REDIS_URL', envRedis, redisCheck, log) : devRedis(log)),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await (pg ?? redis)?.stop(); // throwaway servers already started
    throw failed.reason;
  }
  const [p, r] = results.map((x) => (x as PromiseFulfilledResult<Service>).value) as [Service, Service];
  return { databaseUrl: p.url, redisUrl: r.url, redisCluster, stop: async () => { await p.stop(); await r.stop(); } };
}

