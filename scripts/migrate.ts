// `npm run migrate`: applies sql/migrations; safe to repeat.
import { BULK, createPool } from '../shared/db.js';
import { migrate } from '../shared/migrate.js';
import { localConfig } from './lib/local-env.js';

const config = await localConfig();
const pool = createPool(config.DATABASE_URL, { ...BULK, max: 1 });
try {
  const applied = await migrate(pool);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await pool.end();
}
