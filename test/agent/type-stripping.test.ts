// `node app.ts` (Node's type stripping, 22.18+ and 24+): the agent's profiles name the .ts file and
// its lines with no source maps, since stripping keeps every position of the source.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ChildApp, fetchProfile, flatByFunction, leafLines, startChildApp } from './child-app.js';

const stripsTypes = (process.features as { typescript?: string | false }).typescript === 'strip' || (process.features as { typescript?: string | false }).typescript === 'transform';

// Types spread over lines before and inside the functions: were lines counted after removing them,
// every line below would be off.
const app = `interface RetainOptions {
  rounds: number;
  size: number;
}

type Kept = Array<number[]>;

const kept: Kept = [];

function retainTyped(options: RetainOptions): void {
  for (let i = 0; i < options.rounds; i++) kept.push(new Array<number>(options.size).fill(i));
}

function burnTyped(
  ms: number,
): number {
  const end: number = performance.now() + ms;
  let x: number = 0;
  while (performance.now() < end) {
    for (let i: number = 0; i < 1000; i++) x += Math.sqrt(i * x + 1);
  }
  return x;
}

retainTyped({ rounds: 32, size: (1 << 17) - 2 });
let sink: number = 0;
function turn(): void {
  sink += burnTyped(20);
  setTimeout(turn, 1);
}
turn();
process.stdout.write(\`ready \${kept.length} \${sink >= 0}\\n\`);
`;
const lineOf = (text: string) => app.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('an app run as `node app.ts`', { skip: stripsTypes ? false : `Node ${process.version} has no type stripping (Node 22.18+ and 24+ do)` }, () => {
  let dir: string;
  let child: ChildApp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsprof-strip-'));
    writeFileSync(join(dir, 'app.ts'), app);
    child = await startChildApp(join(dir, 'app.ts'), { cwd: dir });
  });
  after(async () => {
    await child?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('has no source map to lean on', () => {
    assert.deepEqual(readdirSync(dir), ['app.ts']);
  });

  test('heap profile: the retaining function at its .ts line', async () => {
    const profile = await fetchProfile(`${child.agentUrl}/debug/pprof/heap`);
    const str = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;
    const fn = profile.function.find((f) => str(f.name) === 'retainTyped');
    assert.ok(fn, 'retainTyped is in the heap profile');
    assert.equal(str(fn.filename), 'app.ts');
    assert.equal(Number(fn.startLine), lineOf('function retainTyped('));
    const { rows } = flatByFunction(profile, 'inuse_space');
    const retained = rows.find((r) => r.name === 'retainTyped')!.flat;
    assert.ok(retained > 32 * 2 ** 20 * 0.7 && retained < 32 * 2 ** 20 * 1.3, `retainTyped holds ${retained} bytes of 32 MiB`);
  });

  test('CPU profile: the burner at its .ts loop lines', async () => {
    const profile = await fetchProfile(`${child.agentUrl}/debug/pprof/profile?seconds=1`);
    const str = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;
    const fn = profile.function.find((f) => str(f.name) === 'burnTyped')!;
    assert.equal(str(fn.filename), 'app.ts');
    assert.equal(Number(fn.startLine), lineOf('function burnTyped('));
    const lines = leafLines(profile, 'samples', 'burnTyped');
    const total = [...lines.values()].reduce((a, b) => a + b, 0);
    const loop = (lines.get(lineOf('x += Math.sqrt')) ?? 0) + (lines.get(lineOf('while (performance.now() < end)')) ?? 0);
    // Where V8 13+ hid burnTyped inside turn's Maglev code, tsprof shows it at its first line (said in a comment).
    const atStart = lines.get(lineOf('function burnTyped(')) ?? 0;
    const hidden = profile.comment.map(str).some((c) => c.includes('burnTyped in turn (at its first line'));
    assert.ok((loop + (hidden ? atStart : 0)) / total > 0.9, `burnTyped's lines ${JSON.stringify([...lines])}`);
  });
});
