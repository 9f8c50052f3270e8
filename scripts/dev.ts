// `npm run dev:api` / `npm run dev:worker`: one role on a developer's machine. Asks for development
// mode (unless NODE_ENV is set), fills in local Postgres/Redis and the development secrets of .data/,
// then runs the production entry point unchanged.
import { prepareLocalEnv } from './lib/local-env.js';

const roles = { api: '../api/main.js', worker: '../worker/main.js' } as const;
const role = process.argv[2] as keyof typeof roles;
if (!(role in roles)) {
  console.error('usage: npm run dev:api, or npm run dev:worker');
  process.exit(2);
}
process.env.NODE_ENV ||= 'development';
await prepareLocalEnv(process.env);
await import(roles[role]);
