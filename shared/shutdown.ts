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
  // `on`, not `once`: a second signal while closing (npm start's supervisor and a process-group
  // kill both send one) would otherwise kill the process mid-close, its requests unanswered.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
