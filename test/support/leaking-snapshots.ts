import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A small server-like program that leaks 500 Sessions per round into a
 * global Map and also makes garbage, writing a heap snapshot after each of
 * three rounds (the baseline / target / final of memlab's scheme).
 */
const leakingProgram = `
const v8 = require('node:v8');
const [dir] = process.argv.slice(2);
class Session {
  constructor(round, i) { this.user = 'user-' + round + '-' + i; this.history = [round, i]; }
}
globalThis.registry = new Map();
globalThis.names = new Set();
globalThis.recent = new Array(150).fill(undefined); // a preallocated ring: 10 slots per round filled
globalThis.cleared = new Array(64).fill(null);
function handleRound(round) {
  for (let i = 0; i < 10; i++) recent[round * 10 + i] = { round, i };
  for (let i = 0; i < 500; i++) registry.set(round * 1000 + i, new Session(round, i));
  for (let i = 0; i < 100; i++) names.add('name-' + round + '-' + i);
  let garbage = [];
  for (let i = 0; i < 2000; i++) garbage.push({ scratch: i });
  garbage = null;
}
for (let round = 0; round < 3; round++) {
  handleRound(round);
  v8.writeHeapSnapshot(dir + '/s' + round + '.heapsnapshot');
}
`;

/**
 * writeLeakingSnapshots runs that program in a child process of its own and
 * leaves s0.heapsnapshot, s1.heapsnapshot and s2.heapsnapshot in dir.
 */
export async function writeLeakingSnapshots(dir: string): Promise<string[]> {
  writeFileSync(join(dir, 'leak.cjs'), leakingProgram);
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [join(dir, 'leak.cjs'), dir], { timeout: 50_000 }, (err, _out, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve()));
  });
  return [0, 1, 2].map((i) => join(dir, `s${i}.heapsnapshot`));
}
