// Once per test run: real Postgres and Redis (throwaway ones unless DATABASE_URL / REDIS_URL are set),
// and a migrated template database that every test file clones.
import type { TestProject } from 'vitest/node';
import { createPool } from '../shared/db.js';
import { migrate } from '../shared/migrate.js';
import { ensureLocalServices } from '../scripts/lib/local-services.js';

export const TEMPLATE = `mm_template_${process.pid}`;

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    redisUrl: string;
    /** The Redis at redisUrl is one node of a Redis Cluster (REDIS_CLUSTER=on npm test). */
    redisCluster: boolean;
    templateDb: string;
  }
}

export default async function setup(project: TestProject) {
  const services = await ensureLocalServices('test', (m) => console.log(`[test services] ${m}`));
  const admin = createPool(services.databaseUrl, 2);
  await admin.query(`drop database if exists ${TEMPLATE}`);
  await admin.query(`create database ${TEMPLATE}`);
  const template = createPool(withDatabase(services.databaseUrl, TEMPLATE), 1);
  await migrate(template);
  await template.end();

  project.provide('adminDatabaseUrl', services.databaseUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('redisCluster', services.redisCluster);
  project.provide('templateDb', TEMPLATE);

  return async () => {
    await admin.query(`drop database if exists ${TEMPLATE} with (force)`).catch(() => {});
    await admin.end();
    await services.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
