// A closed-loop HTTP load generator (keep-alive, N requests in flight) run in a child process, as wrk
// would be on the same box: the server under test keeps its own event loop, and the client's cost
// lands on the other core instead of inside the measured process.
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Latency, closedLoop, latency } from './stats.js';

export interface LoadSpec {
  port: number;
  /** Requested round robin; `tokens[i]` (if any) goes with `paths[i]`. */
  paths: string[];
  /** GET (the default), or POST with an empty body (Content-Length: 0), as wrk sends one. */
  method?: 'GET' | 'POST';
  tokens?: string[];
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latency: Latency;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** 200 responses by their `source` field (cache / live), when the body has one. */
  sources: Record<string, number>;
  failures: number;
}

/** Runs one load in a fresh child process (it inherits tsx's loader through execArgv) and returns its result. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => {
      resolve(m as LoadResult);
      child.disconnect();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load client exited with ${code} before answering`)));
    child.send(spec);
  });
}

async function generate(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const statuses: Record<string, number> = {};
  const sources: Record<string, number> = {};
  let failures = 0;
  const get = (i: number) =>
    new Promise<void>((done) => {
      const headers: Record<string, string> = spec.tokens ? { authorization: `Bearer ${spec.tokens[i]}` } : {};
      if (spec.method === 'POST') headers['content-length'] = '0';
      const req = http.request({ host: '127.0.0.1', port: spec.port, path: spec.paths[i], method: spec.method ?? 'GET', agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          statuses[res.statusCode!] = (statuses[res.statusCode!] ?? 0) + 1;
          // A string search, not JSON.parse: the client must stay cheap next to the server.
          const source = res.statusCode === 200 ? /"source":"(\w+)"/.exec(body)?.[1] : undefined;
          if (source) sources[source] = (sources[source] ?? 0) + 1;
          done();
        });
      });
      req.on('error', () => {
        failures++;
        done();
      });
      req.end();
    });
  const indices = spec.paths.map((_, i) => i);

  // Warm-up (JIT, connections, Postgres buffers), not recorded.
  await closedLoop(indices, spec.concurrency, Infinity, performance.now() + spec.warmupSeconds * 1000, get);
  for (const k of Object.keys(statuses)) delete statuses[k];
  for (const k of Object.keys(sources)) delete sources[k];
  failures = 0;

  const times = new Float64Array(spec.maxRequests);
  let n = 0;
  const started = performance.now();
  await closedLoop(indices, spec.concurrency, spec.maxRequests, started + spec.maxSeconds * 1000, async (i) => {
    const t0 = performance.now();
    await get(i);
    times[n++] = performance.now() - t0;
  });
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: n, seconds, perSecond: n / seconds, latency: latency(times.subarray(0, n)), statuses, sources, failures };
}

if (process.send && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.once('disconnect', () => process.exit(0)); // the parent went away: never outlive it
  process.once('message', async (spec: LoadSpec) => {
    process.send!(await generate(spec));
  });
}
