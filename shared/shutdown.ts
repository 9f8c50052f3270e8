import type { Logger } from './logger.js';

/** On SIGTERM/SIGINT: run the closers in order (stop taking work first), then exit. */
export function onShutdown(log: Logger, closers: (() => Promise<unknown>)[]): void {
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    for (const close of closers) await close().catch((err) => log.error({ err }, 'error while closing'));
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
