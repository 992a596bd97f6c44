/**
 * A reporting endpoint builds a large report per request (many megabytes of
 * short-lived objects per second), answers with a summary, and keeps
 * nothing. High allocation rate, flat heap.
 */

/** ReportRow is one row of a report. */
interface ReportRow {
  region: string;
  day: number;
  revenueCents: number;
  label: string;
}

/** buildReport builds every row of one report. */
export function buildReport(reportId: string): ReportRow[] {
  const rows: ReportRow[] = [];
  for (let i = 0; i < 3000; i++) rows.push({ region: `region-${i % 12}`, day: i % 365, revenueCents: i * 17, label: `${reportId}:${i}` });
  return rows;
}

/** summarizeReport builds a report and returns its totals. */
export function summarizeReport(reportId: string): string {
  const rows = buildReport(reportId);
  const byRegion = new Map<string, number>();
  for (const row of rows) byRegion.set(row.region, (byRegion.get(row.region) ?? 0) + row.revenueCents);
  return JSON.stringify(Object.fromEntries(byRegion));
}
