import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFixed, goG } from '../../src/profile/go-format.js';
import { autoLabel, commonValueType, scaleValue, scaledLabel, valueTypesCompatible } from '../../src/profile/units.js';
import { percentage } from '../../src/report/report.js';

test('goFixed rounds exact ties to even, as Go, unlike toFixed', () => {
  assert.equal((0.125).toFixed(2), '0.13');
  assert.equal(goFixed(0.125, 2), '0.12');
  assert.equal(goFixed(0.375, 2), '0.38');
  assert.equal(goFixed(-0.125, 2), '-0.12');
  assert.equal(goFixed(2.5, 0), '2');
  assert.equal(goFixed(1.005, 2), '1.00'); // 1.005 is below the tie in binary
  assert.equal(goFixed(12.3456, 2), '12.35');
  // 3345000/1e6 is a little above 3.345: no tie, rounds up (as Go).
  assert.equal(goFixed(3345000 / 1e6, 2), '3.35');
  assert.equal(goFixed(2.675, 2), '2.67');
  assert.equal(goFixed(0.5, 0), '0');
  assert.equal(goFixed(1.5, 0), '2');
  assert.equal(goFixed(-2.5, 0), '-2');
});

test('goG is %.2g: two significant digits, exponent form below 1e-4', () => {
  assert.equal(goG(0.5, 2), '0.5');
  assert.equal(goG(0.0123, 2), '0.012');
  assert.equal(goG(0.000015, 2), '1.5e-05');
  assert.equal(goG(0.1, 2), '0.1');
  assert.equal(goG(0, 2), '0');
  assert.equal(goG(0.96, 2), '0.96');
  // Exact binary ties round half to even, as Go's %g.
  assert.equal(goG(0.125, 2), '0.12');
  assert.equal(goG(0.375, 2), '0.38');
  assert.equal(goG(0.0146484375, 2), '0.015');
  assert.equal(goG(1.5e-5, 2), '1.5e-05');
});

test('percentage formats as pprof', () => {
  assert.equal(percentage(1, 1), '  100%');
  assert.equal(percentage(9995, 10000), '  100%');
  assert.equal(percentage(1234, 10000), '12.34%');
  assert.equal(percentage(5, 1000), '  0.5%');
  assert.equal(percentage(0, 1000), '    0%');
  assert.equal(percentage(-50, 100), '50.00%');
  assert.equal(percentage(3, 0), '    0%');
});

test('scaleValue converts within unit families and picks the largest fitting unit for minimum/auto', () => {
  assert.deepEqual(scaleValue(2048, 'bytes', 'minimum'), [2, 'kB']);
  assert.deepEqual(scaleValue(1536, 'bytes', 'kb'), [1.5, 'kB']);
  assert.deepEqual(scaleValue(1500000, 'nanoseconds', 'auto'), [1.5, 'ms']);
  assert.deepEqual(scaleValue(3, 'seconds', 'ms'), [3000, 'ms']);
  assert.deepEqual(scaleValue(7, 'count', 'minimum'), [7, '']);
  assert.deepEqual(scaleValue(-2048, 'bytes', 'auto'), [-2, 'kB']);
  assert.deepEqual(scaleValue(5, 'widgets', 'gadgets'), [5, 'gadgets']);
});

test('scaledLabel drops .00 and prints zero as 0', () => {
  assert.equal(scaledLabel(1 << 20, 'bytes', 'minimum'), '1MB');
  assert.equal(scaledLabel(524288 + 1024, 'bytes', 'kB'), '513kB');
  assert.equal(scaledLabel(0, 'bytes', 'MB'), '0');
  assert.equal(autoLabel(709781153, 'nanoseconds'), '709.78ms');
});

test('value types: compatible families, and the finest common unit', () => {
  assert.ok(valueTypesCompatible({ type: 'cpu', unit: 'nanoseconds' }, { type: 'cpu', unit: 'milliseconds' }));
  assert.ok(!valueTypesCompatible({ type: 'cpu', unit: 'nanoseconds' }, { type: 'space', unit: 'bytes' }));
  assert.deepEqual(commonValueType([{ type: 'cpu', unit: 'milliseconds' }, { type: 'cpu', unit: 'nanoseconds' }]), { type: 'cpu', unit: 'nanoseconds' });
  assert.throws(() => commonValueType([{ type: 'cpu', unit: 'ns' }, { type: 'alloc', unit: 'bytes' }]), /incompatible types/);
});
