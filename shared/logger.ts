import { pino, type Logger } from 'pino';

export type { Logger };

export const createLogger = (level: string, name: string): Logger =>
  pino({ name, level, redact: ['req.headers.authorization', 'token'] });
