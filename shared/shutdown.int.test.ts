// onShutdown with real signals: a second SIGTERM while closing (a supervisor and a process-group
// kill both send one) must not cut the closing short.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = `
import { onShutdown } from ${JSON.stringify(fileURLToPath(new URL('./shutdown.ts', import.meta.url)))};
const log = { info() {}, error() {} };
onShutdown(log, [async () => { await new Promise((r) => setTimeout(r, 400)); console.log('closed'); }]);
console.log('ready');
setInterval(() => {}, 1000);
`;

describe('onShutdown', () => {
  it('finishes closing and exits 0 when SIGTERM comes twice', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    for (const t0 = Date.now(); !out.includes('ready'); ) {
      if (Date.now() - t0 > 20_000) throw new Error('never ready');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal, closed: out.includes('closed') }).toEqual({ code: 0, signal: null, closed: true });
  }, 30_000);
});
