import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli-capture.js';

// pprof prints Time: in the local zone; the goldens were written in UTC.
process.env.TZ = 'UTC';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'go');
const goldenDir = join(fixtures, 'golden');

/** Each line of COMMANDS is "name: go tool pprof <flags and files>". */
const commands = readFileSync(join(goldenDir, 'COMMANDS'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((line) => {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    const argv = line.slice(colon + 1).trim().split(/\s+/);
    assert.deepEqual(argv.slice(0, 3), ['go', 'tool', 'pprof'], `unexpected command line: ${line}`);
    return { name, args: argv.slice(3) };
  });

test('COMMANDS lists the golden reports', () => {
  assert.ok(commands.length >= 24, `only ${commands.length} commands`);
});

for (const { name, args } of commands) {
  test(`golden ${name}: tsprof ${args.join(' ')} prints what go tool pprof printed`, async () => {
    const want = readFileSync(join(goldenDir, `${name}.txt`), 'utf8');
    const got = await runCli(args, { cwd: fixtures });
    assert.equal(got.stderr, '', `stderr: ${got.stderr}`);
    assert.equal(got.code, 0);
    const text = got.stdout.toString('utf8');
    if (args.includes('-dot')) {
      // Same nodes, edges and labels: compare the sets of statements, then the whole text.
      const statements = (s: string) => s.split('\n').filter((l) => /^N\d+/.test(l)).sort();
      assert.deepEqual(statements(text), statements(want));
    } else {
      // Rows and summary lines first, for a readable failure, then header included.
      const body = (s: string) => s.split('\n').filter((l) => !/^(File|Type|Time|Duration):/.test(l));
      assert.deepEqual(body(text), body(want));
    }
    assert.equal(text, want);
  });
}
