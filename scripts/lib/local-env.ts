// Fills in what a developer's machine leaves unset: local Postgres and Redis (found or started) and
// development secrets kept in .data/, so that `npm start`, `npm run token` and the rest agree.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Config, ConfigError, parseConfig } from '../../shared/config.js';
import { ensureLocalServices } from './local-services.js';

const dataDir = fileURLToPath(new URL('../../.data/', import.meta.url));

function devSecrets(): { JWT_SECRET: string; ADMIN_TOKEN: string } {
  const file = `${dataDir}dev-secrets.json`;
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), ADMIN_TOKEN: randomBytes(24).toString('hex') };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** JWT_SECRET and ADMIN_TOKEN from the environment, or in development the ones kept in .data/. */
export function fillDevSecrets(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production' || (env.JWT_SECRET && env.ADMIN_TOKEN)) return;
  const secrets = devSecrets();
  env.JWT_SECRET ||= secrets.JWT_SECRET;
  env.ADMIN_TOKEN ||= secrets.ADMIN_TOKEN;
}

/** The config of a local process: the environment, completed for development. Exits with a clear message when it cannot. */
export async function localConfig(): Promise<Config> {
  const env = process.env;
  try {
    if (env.NODE_ENV !== 'production') {
      if (!env.DATABASE_URL || !env.REDIS_URL) {
        const services = await ensureLocalServices('dev');
        env.DATABASE_URL ||= services.databaseUrl;
        env.REDIS_URL ||= services.redisUrl;
      }
      fillDevSecrets(env);
    }
    return parseConfig(env);
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `Cannot prepare the local services: ${(err as Error).message}`;
    console.error(message);
    process.exit(1);
  }
}
