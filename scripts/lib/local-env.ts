// Fills in what a developer's machine leaves unset: local Postgres and Redis (found or started) and
// development secrets kept in .data/, so that `npm start`, `npm run token` and the rest agree.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Config, configFromEnvOrExit } from '../../shared/config.js';
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

/**
 * Completes `env` for a local run (unless NODE_ENV=production): local Postgres and Redis found or
 * started when their URLs are unset, development secrets from .data/. Exits with the reason when it cannot.
 */
export async function prepareLocalEnv(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.NODE_ENV === 'production') return;
  try {
    if (!env.DATABASE_URL || !env.REDIS_URL) {
      const services = await ensureLocalServices('dev');
      env.DATABASE_URL ||= services.databaseUrl;
      env.REDIS_URL ||= services.redisUrl;
    }
    fillDevSecrets(env);
  } catch (err) {
    console.error(`Cannot prepare the local services: ${(err as Error).message}`);
    process.exit(1);
  }
}

/** The config of a local command (`npm start` and the scripts): the environment, completed for development. */
export async function localConfig(): Promise<Config> {
  await prepareLocalEnv(process.env);
  return configFromEnvOrExit(process.env);
}
