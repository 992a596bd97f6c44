/**
 * The corpus manifest and the harness's judging, without running services:
 * the corpus has the size the issue asks for, every expected site is a
 * function of its case's source, and the verdict judge tells alarms, sites
 * and holders apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { corpusCases } from '../../examples/leak-corpus/manifest.js';
import { judgeCase, raisesAlarm, verdictLine } from '../../examples/leak-corpus/run-corpus.js';

const sourceDir = fileURLToPath(new URL('../../../examples/leak-corpus/', import.meta.url));

test('the corpus holds at least 12 leaks across 8 families and 6 healthy services, with unique names', () => {
  const leaks = corpusCases.filter((c) => c.kind === 'leak');
  assert.ok(leaks.length >= 12, `${leaks.length} leaks`);
  assert.ok(new Set(leaks.map((c) => c.family)).size >= 8);
  assert.ok(corpusCases.filter((c) => c.kind === 'healthy').length >= 6);
  assert.equal(new Set(corpusCases.map((c) => c.name)).size, corpusCases.length);
});

test('every case has a service, and every leak names a site its source defines and a holder its source declares', () => {
  for (const c of corpusCases) {
    assert.ok(existsSync(`${sourceDir}${c.name}/main.ts`), `${c.name}/main.ts`);
    assert.notEqual(c.remedy, '');
    if (c.kind === 'healthy') continue;
    assert.ok(c.site && c.holder, c.name);
    const source = readFileSync(`${sourceDir}${c.name}/${c.site.file}`, 'utf8');
    assert.match(source, new RegExp(`(function\\s+|^\\s+)${c.site.functionName}\\(`, 'm'), `${c.name}: ${c.site.functionName} in ${c.site.file}`);
    const sources = readdirSync(`${sourceDir}${c.name}`)
      .map((f) => readFileSync(`${sourceDir}${c.name}/${f}`, 'utf8'))
      .join('\n');
    const named = /`([^`]+)`/.exec(c.holder.description)?.[1];
    assert.ok(named, `${c.name}: the holder's description names it in backquotes`);
    for (const part of named.split('.')) assert.match(sources, new RegExp(`\\b${part}\\b`), `${c.name}: ${part} of ${named}`);
  }
});

test('the judge: a leak passes only with an alarm naming site and holder; a healthy case only without an alarm', () => {
  const leak = corpusCases.find((c) => c.name === 'class-connection-pool')!;
  const healthy = corpusCases.find((c) => c.name === 'healthy-lru-cache')!;
  const good = 'Why it is held ...\nVerdict: in-use memory allocated in openConnection grows 60.00MB/min (high confidence); it is held by ConnectionPool.idle (an Array).\n';
  assert.equal(verdictLine(good), good.split('\n')[1]);
  assert.ok(judgeCase(leak, 0, good, '', 1).pass);
  const noHolder = 'Verdict: in-use memory allocated in openConnection grows 60.00MB/min (high confidence).\n';
  assert.deepEqual(
    (({ siteFound, holderFound, pass }) => ({ siteFound, holderFound, pass }))(judgeCase(leak, 0, noHolder, '', 1)),
    { siteFound: true, holderFound: false, pass: false },
  );
  assert.equal(judgeCase(leak, 1, good, 'boom', 1).pass, false);
  assert.ok(raisesAlarm('Verdict: no allocation site grows steadily; total in use is growing at 80.00MB.'));
  assert.ok(!raisesAlarm('Verdict: no allocation site grows steadily; total in use is flat at 1.00MB.'));
  assert.ok(judgeCase(healthy, 0, 'Verdict: no allocation site grows steadily; total in use is flat at 9.00MB.\n', '', 1).pass);
  assert.equal(judgeCase(healthy, 0, 'Verdict: in-use memory allocated in loadProfile grows 44.98MB/min (low confidence).\n', '', 1).pass, false);
  assert.equal(judgeCase(healthy, 0, '', '', 1).pass, false, 'no verdict is no pass');
});
