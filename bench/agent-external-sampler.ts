// The cost, for the app, of the agent's sampling of Buffer allocations (externalSites): a loop doing
// what an HTTP service does with Buffers (assemble a body from chunks with Buffer.concat, allocate a
// 64 KiB frame with allocUnsafeSlow and fill it, copy a string into a Buffer with Buffer.from, decode a header
// with Buffer#toString, and every 64th operation decode a ~1 MB response into an external string), timed (CPU time)
// with the sampler off and on in turn, in one process, medians over rounds.
//
//   npx tsc -p . && node dist/bench/agent-external-sampler.js [-rounds 9] [-ops 20000] [-interval 524288]
import { ExternalSampler } from '../src/agent/external-sampler.js';
import { parseBenchFlags } from './support/bench-flags.js';
import { median, roundOrder } from './support/stats.js';

const { values: flags } = parseBenchFlags('agent-external-sampler', {
  rounds: { kind: 'int', default: 9, help: 'rounds, each timing both modes' },
  ops: { kind: 'int', default: 20_000, help: 'operations per timing' },
  interval: { kind: 'int', default: 512 * 1024, help: "the sampler's mean interval in bytes" },
});
const rounds = flags.rounds as number;
const ops = flags.ops as number;
const sampler = new ExternalSampler(flags.interval as number);
const chunk = Buffer.alloc(4096, 7);
const text = 'x'.repeat(8000);
const response = Buffer.alloc(0xfbee9 + 4096, 'container_cpu_usage_seconds_total{id="/kubepods/pod1"} 1\n');
let sink = 0;

function work(n: number): void {
  for (let i = 0; i < n; i++) {
    const body = Buffer.concat([chunk, chunk, chunk, chunk]);
    const frame = Buffer.allocUnsafeSlow(64 * 1024).fill(i & 255);
    const copy = Buffer.from(text);
    const header = body.toString('latin1', 0, 256);
    const decoded = (i & 63) === 0 ? response.toString('latin1').length : 0;
    sink += body[i & 4095]! + frame[i & 65535]! + copy.length + header.length + decoded;
  }
}

const time = (mode: 'off' | 'on'): number => {
  if (mode === 'on') sampler.start();
  // CPU time of this thread's process (user + system), steadier than wall time on a shared machine.
  const started = process.cpuUsage();
  work(ops);
  const used = process.cpuUsage(started);
  const ns = ((used.user + used.system) * 1000) / ops;
  sampler.stop();
  return ns;
};

work(2000); // warm-up
const per: Record<'off' | 'on', number[]> = { off: [], on: [] };
for (let r = 0; r < rounds; r++) for (const mode of roundOrder(r, ['off', 'on'] as const)) per[mode].push(time(mode));
const off = median(per.off);
const on = median(per.on);
console.log(`node ${process.version}; ${ops} ops a timing, ${rounds} rounds; an op allocates ~88 KiB outside the heap in 3 Buffers and decodes 256 B with Buffer#toString, every 64th also a ~1 MB response (an external string)`);
console.log(`sampler off   ${off.toFixed(0)} ns/op (median CPU time)`);
console.log(`sampler on    ${on.toFixed(0)} ns/op (median; interval ${flags.interval} B)`);
console.log(`cost          ${(((on - off) / off) * 100).toFixed(1)}% (${(on - off).toFixed(0)} ns per op)`);
if (sink === 42) console.log('');
