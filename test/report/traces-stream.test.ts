import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/driver/config.js';
import { generateReport, generateReportChunks } from '../../src/driver/generate.js';
import { buildProfile, type SampleSpec } from '../profile/build-profile.js';

test('-traces and -raw of a big profile come in pieces that join to the whole report', async () => {
  const samples: SampleSpec[] = [];
  for (let i = 0; i < 40000; i++) samples.push({ stack: [`leaf${i % 500}`, `mid${i % 37}`, 'main'], values: [i + 1], labels: { request: `r${i}` } });
  const p = buildProfile([{ type: 'samples', unit: 'count' }], samples);
  for (const command of ['traces', 'raw']) {
    const chunks = [...(await generateReportChunks(p, defaultConfig(), command))];
    assert.ok(chunks.length > 1, `${command}: ${chunks.length} chunk(s)`);
    const whole = await generateReport(p, defaultConfig(), command);
    assert.equal(chunks.join(''), whole);
    assert.ok(whole.length > 1 << 20);
  }
});
