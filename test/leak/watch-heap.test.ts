import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgent } from '../../src/agent/index.js';
import { watchHeap, type Clock } from '../../src/leak/watch-heap.js';

/** A clock that only moves when slept on (or by `advance`), so grids are exact whatever the machine does. */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void; sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => void (now += ms),
    sleeps,
  };
}

// A real agent in this process: its heap profiles are real, only time is simulated.
test('watchHeap reads every interval on a grid for the duration, inclusive of both ends', async () => {
  const agent = await startAgent({ address: '127.0.0.1:0' });
  // Something live for the sampler to see: 8 MiB of arrays (1 MiB each: 16 + 8 × (2^17 − 2) bytes),
  // allocated after sampling started. Arrays, not strings decoded from Buffers: on Node 24+ those
  // are external strings, outside the V8 heap the sampler sees.
  const retained = Array.from({ length: 8 }, (_, i) => new Array((1 << 17) - 2).fill(i));
  try {
    const clock = manualClock();
    const progress: number[] = [];
    const leaders: (string | undefined)[] = [];
    function allocateMore() {
      for (let i = 0; i < 4; i++) retained.push(new Array((1 << 17) - 2).fill(65 + i));
    }
    const result = await watchHeap({
      url: agent.url, intervalMs: 1000, durationMs: 5000, timeoutMs: 10_000, clock,
      onProgress: (p) => {
        progress.push(p.readings);
        leaders.push(p.leader?.functionName);
        if (p.readings === 2) allocateMore();
      },
    });
    assert.equal(result.observations.length, 6);
    assert.deepEqual(result.observations.map((o) => o.timeMs - 1_000_000), [0, 1000, 2000, 3000, 4000, 5000]);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
    // The progress line's leader: what gained most since the first reading.
    assert.deepEqual(leaders.slice(2), ['allocateMore', 'allocateMore', 'allocateMore', 'allocateMore']);
    assert.equal(result.stoppedEarly, undefined);
    const bytes = result.observations[0]!.samples.reduce((sum, x) => sum + x.bytes, 0);
    assert.ok(bytes >= 4 << 20 && retained.length === 12, `a real heap profile: ${bytes} bytes in use`);
    assert.equal(result.observations[0]!.samplingPeriodBytes, 512 * 1024);
  } finally {
    await agent.stop();
  }
});

test('watchHeap: set-up before the watch drops the first reading and starts the grid after it', async () => {
  const agent = await startAgent({ address: '127.0.0.1:0' });
  try {
    const clock = manualClock();
    let setUps = 0;
    const result = await watchHeap({
      url: agent.url, intervalMs: 1000, durationMs: 2000, timeoutMs: 10_000, clock,
      beforeWatch: async () => {
        setUps++;
        clock.advance(7000); // a slow heap snapshot
      },
    });
    assert.equal(setUps, 1);
    assert.deepEqual(result.observations.map((o) => o.timeMs - 1_000_000), [7000, 8000, 9000]);
  } finally {
    await agent.stop();
  }
});

test('watchHeap skips grid slots a slow request overran instead of bunching readings', async () => {
  const agent = await startAgent({ address: '127.0.0.1:0' });
  try {
    const clock = manualClock();
    let reading = 0;
    const result = await watchHeap({
      url: agent.url, intervalMs: 1000, durationMs: 6000, timeoutMs: 10_000, clock,
      onProgress: () => {
        // The third request takes 2.5 s.
        if (++reading === 3) clock.advance(2500);
      },
    });
    // Slots 3 and 4 (3000, 4000) were overrun; the next reading is at slot 5.
    assert.deepEqual(result.observations.map((o) => o.timeMs - 1_000_000), [0, 1000, 2000, 5000, 6000]);
  } finally {
    await agent.stop();
  }
});

test('watchHeap: an abort ends the watch with what it has; a failing later poll ends it with the error', async () => {
  const agent = await startAgent({ address: '127.0.0.1:0' });
  const controller = new AbortController();
  const clock = manualClock();
  let readings = 0;
  const interrupted = await watchHeap({
    url: agent.url, intervalMs: 1000, durationMs: Infinity, timeoutMs: 10_000, clock, signal: controller.signal,
    onProgress: () => {
      if (++readings === 3) controller.abort();
    },
  });
  assert.equal(interrupted.observations.length, 3);
  assert.equal(interrupted.stoppedEarly, 'interrupted');

  let polls = 0;
  const died = await watchHeap({
    url: agent.url, intervalMs: 1000, durationMs: 10_000, timeoutMs: 10_000, clock: manualClock(),
    onProgress: () => {
      if (++polls === 2) void agent.stop();
    },
  });
  assert.equal(died.observations.length, 2);
  assert.match(died.stoppedEarly!, /connection refused|ECONNRESET|socket hang up/);
});
