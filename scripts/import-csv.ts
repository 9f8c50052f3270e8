// `npm run import -- path/to/profiles.csv`: loads an operator's own profiles through COPY. All or
// nothing: when any row is invalid, nothing is loaded and every problem is listed with its line.
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse';
import { BULK, type Pool, createPool } from '../shared/db.js';
import { migrate } from '../shared/migrate.js';
import { type NewProfile, newProfileSchema, preferenceFields, rangeIssues } from '../shared/profile.js';
import { loadUsers } from './lib/copy-users.js';
import { localConfig } from './lib/local-env.js';
import { runInBackground } from '../shared/priority.js';

export const CSV_FIELDS = ['name', 'age', 'height', 'gender', 'interested_in', 'preferred_age_min', 'preferred_age_max',
  'preferred_height_min', 'preferred_height_max', 'bio'] as const;
const OPTIONAL = new Set(['gender', 'interested_in', 'bio']);
const TEXT = new Set(['name', 'bio']);
const SHOWN = 20;

/** The file cannot be read as a CSV of profiles at all (missing, bad header, broken quoting). */
export class CsvFormatError extends Error {}

export interface Issue { field: string; message: string }
export interface RowProblem { line: number; issues: Issue[] }
export interface ImportResult {
  rows: number;
  loaded: number;
  firstId: number | null;
  invalid: number;
  /** The first 20 invalid rows. */
  problems: RowProblem[];
}

type Row = { line: number; profile: NewProfile } | RowProblem;

function checkHeader(cells: string[]): string[] {
  const header = cells.map((c) => c.trim().toLowerCase());
  const known = new Set<string>(CSV_FIELDS);
  const unknown = header.filter((h) => !known.has(h));
  const missing = CSV_FIELDS.filter((f) => !OPTIONAL.has(f) && !header.includes(f));
  const twice = header.filter((h, i) => header.indexOf(h) !== i);
  if (unknown.length || missing.length || twice.length) {
    const say = (what: string, xs: string[]) => (xs.length ? [`${what}: ${xs.join(', ')}`] : []);
    throw new CsvFormatError(`line 1 must be a header row of ${CSV_FIELDS.join(',')} (gender, interested_in and bio may be left out); ${
      [...say('unknown', unknown), ...say('missing', missing), ...say('repeated', twice)].join('; ')}`);
  }
  return header;
}

/** A cell as the schema expects it: empty = absent, numbers as numbers, `woman;man` as a list. */
function cell(field: string, value: string): unknown {
  const v = value.trim();
  if (v === '') return field === 'name' ? value : OPTIONAL.has(field) ? null : undefined;
  if (field === 'interested_in') return v.split(/[;,|]/).map((g) => g.trim()).filter(Boolean);
  if (!OPTIONAL.has(field) && !TEXT.has(field)) return /^[+-]?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  return field === 'gender' ? v : value;
}

function validate(header: string[], record: string[], line: number): Row {
  if (record.length !== header.length) {
    return { line, issues: [{ field: '(row)', message: `has ${record.length} fields where the header has ${header.length}` }] };
  }
  const raw = Object.fromEntries(header.map((h, i) => [h, cell(h, record[i]!)]));
  const parsed = newProfileSchema.safeParse(raw);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? '(row)'), message: i.message }));
  // The schema compares min and max only once every field is well-typed: compare them here too, so
  // that the operator sees all of a row's problems at once.
  const ranges = Object.fromEntries(preferenceFields.filter((f) => typeof raw[f] === 'number').map((f) => [f, raw[f] as number]));
  issues.push(...rangeIssues(ranges).filter((r) => !issues.some((i) => i.field === r.field)));
  for (const field of header.filter((h, i) => TEXT.has(h) && record[i]!.includes('\0'))) {
    issues.push({ field, message: 'must not contain NUL characters' }); // Postgres text cannot hold them
  }
  return issues.length || !parsed.success ? { line, issues } : { line, profile: parsed.data };
}

/** Each data row of the file, validated, with the line it ends on. */
async function* readRows(file: string): AsyncGenerator<Row> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
  const input = createReadStream(file).on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) header = checkHeader(record);
      else yield validate(header, record, info.lines);
    }
  } catch (err) {
    if (err instanceof CsvFormatError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code?.startsWith('CSV_') || e.syscall) throw new CsvFormatError(`cannot read ${file}: ${e.message}`);
    throw err;
  } finally {
    input.destroy();
  }
  if (!header) throw new CsvFormatError(`${file} is empty: expected a header row`);
}

/** Validates the whole file, then (only if every row is valid) loads it in one transaction. */
export async function importCsv(pool: Pool, file: string): Promise<ImportResult> {
  let rows = 0;
  let invalid = 0;
  const problems: RowProblem[] = [];
  for await (const row of readRows(file)) {
    rows++;
    if ('issues' in row && invalid++ < SHOWN) problems.push(row);
  }
  if (invalid || rows === 0) return { rows, loaded: 0, firstId: null, invalid, problems };
  // Read the file a second time rather than hold every profile in memory: operators' files can be large.
  async function* profiles() {
    for await (const row of readRows(file)) {
      if ('issues' in row) throw new CsvFormatError(`${file} changed during the import (line ${row.line}); nothing was loaded`);
      yield row.profile;
    }
  }
  const ids = await loadUsers(pool, rows, profiles());
  await pool.query('vacuum (analyze) users'); // as after a seed (scripts/seed.ts)
  return { rows, loaded: rows, firstId: ids.first, invalid: 0, problems };
}

async function main() {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    console.error(`usage: npm run import -- path/to/profiles.csv\n  header: ${CSV_FIELDS.join(',')}; interested_in like woman;man`);
    process.exit(2);
  }
  runInBackground();
  const config = await localConfig();
  const pool = createPool(config.DATABASE_URL, { ...BULK, max: 2, background: true });
  const started = performance.now();
  try {
    await migrate(pool);
    const r = await importCsv(pool, file);
    const seconds = Math.round(performance.now() - started) / 1000;
    if (r.invalid) {
      console.error(`nothing imported: ${r.invalid} of ${r.rows} rows are invalid`);
      for (const p of r.problems) console.error(`  line ${p.line}: ${p.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
      if (r.invalid > r.problems.length) console.error(`  ... and ${r.invalid - r.problems.length} more invalid rows`);
      process.exitCode = 1;
    } else {
      const ids = r.firstId === null ? '' : ` (ids ${r.firstId}-${r.firstId + r.loaded - 1})`;
      console.log(`imported ${r.loaded} users${ids} from ${file} in ${seconds} s`);
    }
    console.log(JSON.stringify({ rows: r.rows, loaded: r.loaded, invalid: r.invalid, first_id: r.firstId, seconds }));
    if (r.loaded) console.error('next: `npm run rebuild` puts them in everyone\'s cached feeds (the live path has them already)');
  } catch (err) {
    if (!(err instanceof CsvFormatError)) throw err;
    console.error(`nothing imported: ${err.message}`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
