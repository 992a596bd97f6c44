/**
 * The leak corpus, end to end: every service of examples/leak-corpus/ runs
 * with `tsprof watch -snapshots` against it, and the verdict must name the
 * expected site and holder (leaks) or raise no alarm (healthy services).
 *
 * Gated: runs only with TSPROF_CORPUS=1 (about 4-5 minutes). Knobs:
 * TSPROF_CORPUS_INTERVAL (default 3s), TSPROF_CORPUS_DURATION (default 24s),
 * TSPROF_CORPUS_CONCURRENCY (default 3), TSPROF_CORPUS_WARMUP_MS (default 3000), TSPROF_CORPUS_CASES (comma-separated
 * name substrings). Prints the per-case table to stderr.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusCases } from '../../examples/leak-corpus/manifest.js';
import { formatCorpusTable, runCorpus, type CorpusResult } from '../../examples/leak-corpus/run-corpus.js';

const enabled = process.env.TSPROF_CORPUS === '1';
const filters = (process.env.TSPROF_CORPUS_CASES ?? '').split(',').filter((s) => s !== '');
const cases = filters.length === 0 ? corpusCases : corpusCases.filter((c) => filters.some((f) => c.name.includes(f)));

describe('leak corpus (TSPROF_CORPUS=1)', { skip: enabled ? false : 'set TSPROF_CORPUS=1 to run the leak corpus' }, () => {
  const results = new Map<string, CorpusResult>();
  before(
    async () => {
      const run = await runCorpus(cases, {
        interval: process.env.TSPROF_CORPUS_INTERVAL ?? '3s',
        duration: process.env.TSPROF_CORPUS_DURATION ?? '24s',
        concurrency: Number(process.env.TSPROF_CORPUS_CONCURRENCY ?? 3),
        warmupMs: Number(process.env.TSPROF_CORPUS_WARMUP_MS ?? 3000),
      });
      for (const r of run) results.set(r.case.name, r);
      process.stderr.write(`\nLeak corpus on Node ${process.version}:\n` + formatCorpusTable(run));
    },
    { timeout: 15 * 60_000 },
  );

  for (const c of cases) {
    if (c.kind === 'leak') {
      test(`${c.name}: the verdict names ${c.site!.functionName} and ${c.holder!.description}`, () => {
        const r = results.get(c.name)!;
        assert.equal(r.code, 0, `watch exited ${r.code}: ${r.err}`);
        assert.ok(r.alarm, `no alarm raised: ${r.verdict}`);
        assert.ok(r.siteFound, `site ${c.site!.functionName} not named: ${r.verdict}`);
        assert.ok(r.holderFound, `holder ${c.holder!.description} not named: ${r.verdict}`);
      });
    } else {
      test(`${c.name}: the verdict stays quiet`, () => {
        const r = results.get(c.name)!;
        assert.equal(r.code, 0, `watch exited ${r.code}: ${r.err}`);
        assert.notEqual(r.verdict, '', 'no verdict line');
        assert.ok(!r.alarm, `false alarm: ${r.verdict}`);
      });
    }
  }
});
