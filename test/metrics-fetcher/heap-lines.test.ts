// Heap lines on the story's service: `tsprof -lines -top` on the agent's heap profile names the
// lines of metrics-fetcher.ts that hold the responses, as pprof named fetcher.go's lines in the story.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubeletSimulatorScript, metricsFetcherScript, startChildService, type ChildService } from '../../src/demo/child-service.js';
import { runCli } from '../support/cli-capture.js';
import { decodesLargeBuffersExternally } from '../support/external-strings.js';

const sourceFile = 'examples/metrics-fetcher/metrics-fetcher.ts';
const source = readFileSync(fileURLToPath(new URL(`../../../${sourceFile}`, import.meta.url)), 'utf8').split('\n');
const lineOf = (text: string) => {
  const at = source.findIndex((l) => l.includes(text));
  assert.ok(at >= 0, `${sourceFile} has ${text}`);
  return at + 1;
};
const toStringLine = lineOf("bytes.toString('utf8')");
const parseCallLine = lineOf('this.parseContainerMetricsResponse(url, bytes)');
const parseStartLine = lineOf('parseContainerMetricsResponse(kubelet: string, bytes: Buffer)');

/** Rows of `-top` output: flat and cum in MB, and the name column. */
function topRows(text: string): { flat: number; cum: number; name: string }[] {
  const rows: { flat: number; cum: number; name: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([\d.]+)([kMG]?B|)\s+[\d.]+%\s+[\d.]+%\s+([\d.]+)([kMG]?B|)\s+[\d.]+%\s+(.+)$/.exec(line);
    if (!m) continue;
    const mb = (v: string, u: string) => Number(v) * (u === 'GB' ? 1024 : u === 'kB' ? 1 / 1024 : u === 'MB' ? 1 : 1 / 1024 / 1024);
    rows.push({ flat: mb(m[1]!, m[2]!), cum: mb(m[3]!, m[4]!), name: m[5]! });
  }
  return rows;
}

describe('heap lines on the story’s service', { timeout: 90_000 }, () => {
  const children: ChildService<unknown>[] = [];
  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
  });
  // The responses must be on the V8 heap for its profile to see them: ~1 MB responses are external
  // strings from Node 24, so there they are 512 KiB.
  const external = decodesLargeBuffersExternally();
  const responseBytes = external ? 512 * 1024 : 1 << 20;

  it('-lines -top puts the held bytes at the bytes.toString line, and the caller at its call, early and later', async () => {
    const simulator = await startChildService<{ url: string }>(kubeletSimulatorScript, ['-size', String(responseBytes)]);
    children.push(simulator);
    const fetcher = await startChildService<{ results: string; agent: string }>(metricsFetcherScript, ['-kubelet', simulator.info.url, '-interval', '20']);
    children.push(fetcher);
    const scraped = async (count: number) => {
      for (let waited = 0; waited < 60_000; waited += 100) {
        const stats = (await (await fetch(`${fetcher.info.results}/stats`)).json()) as { scrapes: number };
        if (stats.scrapes >= count) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`fewer than ${count} scrapes in a minute`);
    };
    // Early, and again once the early responses are gone and V8 has long optimized the parse (on
    // Node 24+ it then leaves Buffer#toString's frame out: the agent remembers what it saw before).
    for (const scrapes of [30, 200]) {
      await scraped(scrapes);
      const run = await runCli(['-lines', '-top', '-unit', 'MB', `${fetcher.info.agent}/debug/pprof/heap`]);
      assert.equal(run.code, 0, run.stderr);
      const text = run.stdout.toString('utf8');
      const rows = topRows(text);
      const total = Number(/of ([\d.]+)MB total/.exec(text)?.[1]);
      assert.ok(total > 12, `after ${scrapes} scrapes, in-use ${total} MB: the leak holds ~${responseBytes >> 10} KiB per scrape\n${text}`);
      const at = (fn: string, line: number) => rows.find((r) => r.name === `${fn} ${sourceFile}:${line}`);
      const caller = at('fetchLoop', parseCallLine);
      assert.ok(caller && caller.cum >= 0.6 * total, `after ${scrapes} scrapes: fetchLoop at line ${parseCallLine}, the call of parseContainerMetricsResponse\n${text}`);
      const site = at('parseContainerMetricsResponse', toStringLine);
      assert.ok(site && site.cum >= 0.6 * total, `after ${scrapes} scrapes: parseContainerMetricsResponse at line ${toStringLine}, bytes.toString('utf8')\n${text}`);
      const first = at('parseContainerMetricsResponse', parseStartLine);
      assert.ok(!first || first.flat < 0.2 * total, `after ${scrapes} scrapes: little is left at the parse's first line\n${text}`);
      assert.match(text, /tsprof heap lines: \d+ of \d+ calling locations are at the line that calls the frame below/);
    }
  });
});
