/**
 * A job runner lets each job register a completion hook, to run when the
 * batch it belongs to completes. Batches never complete in this service, so
 * the hooks (closures over each job's whole context) pile up in the registry.
 */

/** JobContext is what a job carries while it runs. */
interface JobContext {
  jobId: string;
  inputRows: { key: string; value: number; label: string }[];
}

/** completionHooks maps a batch id to the hooks waiting for it. */
export const completionHooks = new Map<string, Array<() => void>>();

/** loadJobContext loads the input rows of one job. */
export function loadJobContext(jobId: string): JobContext {
  const inputRows: JobContext['inputRows'] = [];
  for (let i = 0; i < 350; i++) inputRows.push({ key: `${jobId}/${i}`, value: i * 3, label: `row ${i}` });
  return { jobId, inputRows };
}

/** onBatchComplete registers a hook that reports on the job when its batch completes. */
export function onBatchComplete(batchId: string, context: JobContext): void {
  const hooks = completionHooks.get(batchId) ?? [];
  hooks.push(() => console.log(`job ${context.jobId} done with ${context.inputRows.length} rows`));
  completionHooks.set(batchId, hooks);
}

/** runJob runs one job of a batch. */
export function runJob(jobId: string, seq: number): string {
  const context = loadJobContext(jobId);
  onBatchComplete(`batch-${seq % 16}`, context);
  return JSON.stringify({ jobId, rows: context.inputRows.length });
}
