// `npm start` as a user runs it: the supervisor, one workers process, API processes sharing the port.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, commandEnv, createTestEnv } from '../test/support/env.js';
import { seedUsers } from './seed.js';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
  await seedUsers(t.db, { users: 300, seed: 3 });
});
afterAll(() => t.close());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts `npm start` and collects its JSON log lines (pino) until `until` has seen what it needs. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: commandEnv(t.config, { LOG_LEVEL: 'info', PORT: '0', REBUILD_PARTITIONS: '2', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: any[] = [];
  let buffered = '';
  child.stdout!.on('data', (d) => {
    buffered += d;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const l of parts) if (l.startsWith('{')) lines.push(JSON.parse(l));
  });
  child.stderr!.resume();
  const waitFor = async (pred: (ls: any[]) => boolean, ms = 45_000) => {
    for (const t0 = Date.now(); !pred(lines); ) {
      if (Date.now() - t0 > ms) throw new Error(`timed out; log so far: ${JSON.stringify(lines)}`);
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}; log: ${JSON.stringify(lines)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, lines, waitFor };
}

const stopped = async (child: ChildProcess) => {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code;
};

describe('npm start', () => {
  it('serves the API in its own processes and runs the rebuild in the workers process; SIGTERM stops them all', async () => {
    const { child, lines, waitFor } = start({ API_PROCESSES: '2' });
    try {
      const listening = (ls: any[]) => ls.filter((l) => /API listening/.test(l.msg));
      await waitFor((ls) => listening(ls).length === 2 && ls.some((l) => l.msg === 'worker started'));
      const apis = listening(lines).map((l) => l.pid as number);
      const worker = lines.find((l) => l.msg === 'worker started').pid as number;
      // Two API processes, one workers process: none of them the supervisor.
      expect(new Set([...apis, worker, child.pid]).size).toBe(4);
      // Ranking yields to requests: the workers process runs below the API's CPU priority.
      for (const api of apis) expect(getPriority(worker)).toBeGreaterThan(getPriority(api));
      const port = Number(/localhost:(\d+)/.exec(listening(lines)[0].msg)![1]);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);

      const admin = { authorization: `Bearer ${t.config.ADMIN_TOKEN}` };
      const started = await fetch(`${base}/admin/rebuild`, { method: 'POST', headers: admin });
      expect(started.status).toBe(202);
      const { job_id } = (await started.json()) as { job_id: string };
      let state = '';
      for (const t0 = Date.now(); state !== 'completed' && Date.now() - t0 < 45_000; ) {
        state = ((await (await fetch(`${base}/admin/rebuild/${job_id}`, { headers: admin })).json()) as { state: string }).state;
        if (state !== 'completed') await new Promise((r) => setTimeout(r, 200));
      }
      expect(state).toBe('completed');
      // The partitions ran in the workers process, not in an API process.
      const done = lines.filter((l) => l.msg === 'job done' && l.queue?.includes('partition'));
      expect(done.length).toBeGreaterThan(0);
      expect(new Set(done.map((l) => l.pid))).toEqual(new Set([worker]));

      child.kill('SIGTERM');
      expect(await stopped(child)).toBe(0);
      for (const pid of [...apis, worker]) expect(alive(pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);

  it('stops, saying why, when a process cannot start', async () => {
    // The port is taken: the API processes exit at start, and so does the whole system.
    const { createServer } = await import('node:net');
    const taken = createServer().listen(0, '0.0.0.0');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    const { child, lines } = start({ PORT: String(port) });
    try {
      expect(await stopped(child)).not.toBe(0);
      expect(lines.some((l) => /the api process exited at start/.test(l.msg))).toBe(true);
    } finally {
      child.kill('SIGKILL');
      taken.close();
    }
  }, 60_000);
});
