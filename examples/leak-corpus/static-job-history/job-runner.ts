/**
 * A background-job runner that keeps a history of every run for its admin
 * page. The history is a static field of the class, so it lives as long as
 * the class does, and nothing ever trims it: each run's record (its input,
 * its log lines, its result) stays forever.
 */

/** JobRecord is what the admin page shows about one run. */
export interface JobRecord {
  jobId: string;
  startedAt: number;
  input: { tenant: string; items: string[] };
  log: string[];
  result: { processed: number; checksum: string };
}

/** buildJobRecord runs one job and describes the run. */
export function buildJobRecord(jobId: string, seq: number): JobRecord {
  const items = Array.from({ length: 200 }, (_, i) => `sku-${seq}-${i}-${'x'.repeat(24)}`);
  const log: string[] = [];
  let checksum = 0;
  for (const [i, item] of items.entries()) {
    checksum = (checksum * 31 + item.length + i) >>> 0;
    if (i % 2 === 0) log.push(`[${new Date(1_700_000_000_000 + seq * 1000).toISOString()}] processed ${item} (${i + 1}/${items.length})`);
  }
  return { jobId, startedAt: Date.now(), input: { tenant: `tenant-${seq % 7}`, items }, log, result: { processed: items.length, checksum: checksum.toString(16) } };
}

/** JobRunner runs jobs and remembers every run. */
export class JobRunner {
  /** Every run, by job id, for the admin page: never trimmed. */
  static readonly history = new Map<string, JobRecord>();

  run(jobId: string, seq: number): string {
    const record = buildJobRecord(jobId, seq);
    JobRunner.history.set(jobId, record);
    return JSON.stringify({ jobId, processed: record.result.processed, runs: JobRunner.history.size });
  }
}
