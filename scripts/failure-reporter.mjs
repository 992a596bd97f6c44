// A node:test reporter that prints nothing while the run goes and, at its end, one line per failed
// test (file, name, first line of the error), so the failures are at the bottom of a long log (CI
// shows its tail). run-tests.mjs adds it beside the usual reporter.
export default async function* failureReporter(source) {
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    const error = details?.error;
    // A suite fails when a test in it fails; the test's own line says it.
    if (error?.failureType === 'subtestsFailed') continue;
    const cause = error?.cause ?? error;
    const message = String(cause?.message ?? cause ?? 'failed').split('\n')[0].slice(0, 300);
    failures.push(`${file ?? '?'}: ${name}: ${message}`);
  }
  if (failures.length > 0) yield `failed tests (${failures.length}):\n${failures.map((f) => `  ${f}\n`).join('')}`;
}
