// What operators do with reports: list them, resolve one, clear a user (lift a suspension).
import { type Db, rows } from './db.js';
import type { ReportReason } from './blocks.js';

export type ReportStatus = 'open' | 'resolved' | 'all';

export interface ReportView {
  id: number;
  reporter_id: number | null;
  reported_id: number;
  reason: ReportReason;
  text: string | null;
  created_at: string;
  resolved_at: string | null;
  resolution: 'resolved' | 'cleared' | null;
  /** The reported account was deleted since (the report is kept for moderation, the profile is gone). */
  reported_erased: boolean;
  reported_suspended: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A page of reports in id order after `after`; `next_after` is the cursor of the next page, null at the end. */
export async function listReports(db: Db, status: ReportStatus, after: number, limit: number): Promise<{ reports: ReportView[]; next_after: number | null }> {
  // One more than asked says whether another page follows.
  const found = await rows(db, 'list_reports', [after, status, limit + 1]);
  const reports = found.slice(0, limit).map((r) => ({
    id: Number(r.id),
    reporter_id: r.reporter_id,
    reported_id: r.reported_id,
    reason: r.reason,
    text: r.text,
    created_at: iso(r.created_at)!,
    resolved_at: iso(r.resolved_at),
    resolution: r.resolution,
    reported_erased: r.reported_erased,
    reported_suspended: r.reported_suspended_at !== null,
  }));
  return { reports, next_after: found.length > limit ? reports.at(-1)!.id : null };
}

/** Marks a report resolved (repeating keeps the first resolution); undefined when there is no such report. */
export async function resolveReport(db: Db, reportId: number): Promise<{ resolved_at: string; resolution: string } | undefined> {
  const [row] = await rows(db, 'resolve_report', [reportId]);
  return row && { resolved_at: iso(row.resolved_at)!, resolution: row.resolution };
}

/** Lifts a suspension and resolves the open reports about the user; undefined when there is no such user. */
export async function clearUser(db: Db, userId: number): Promise<{ cleared_reports: number } | undefined> {
  // One statement: the suspension and the reports change together.
  const [row] = await rows(db, 'clear_user', [userId]);
  return row && { cleared_reports: row.cleared_reports as number };
}
