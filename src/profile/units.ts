import { goFixed } from './go-format.js';
import type { ValueType } from './profile.js';

/** A unit of one family: its printed name, the spellings that mean it, and its size in the family's base. */
interface Unit {
  name: string;
  aliases: string[];
  factor: number;
}

/** A family of convertible units (bytes, time, GCU) and the unit used when no target fits. */
interface UnitFamily {
  units: Unit[];
  fallback: Unit;
}

const byteUnits: Unit[] = [
  { name: 'B', aliases: ['b', 'byte'], factor: 1 },
  { name: 'kB', aliases: ['kb', 'kbyte', 'kilobyte'], factor: 2 ** 10 },
  { name: 'MB', aliases: ['mb', 'mbyte', 'megabyte'], factor: 2 ** 20 },
  { name: 'GB', aliases: ['gb', 'gbyte', 'gigabyte'], factor: 2 ** 30 },
  { name: 'TB', aliases: ['tb', 'tbyte', 'terabyte'], factor: 2 ** 40 },
  { name: 'PB', aliases: ['pb', 'pbyte', 'petabyte'], factor: 2 ** 50 },
];
const timeUnits: Unit[] = [
  { name: 'ns', aliases: ['ns', 'nanosecond'], factor: 1 },
  { name: 'us', aliases: ['μs', 'us', 'microsecond'], factor: 1e3 },
  { name: 'ms', aliases: ['ms', 'millisecond'], factor: 1e6 },
  { name: 's', aliases: ['s', 'sec', 'second'], factor: 1e9 },
  { name: 'hrs', aliases: ['hour', 'hr'], factor: 3600e9 },
];
const gcuUnits: Unit[] = [
  { name: 'n*GCU', aliases: ['nanogcu'], factor: 1e-9 },
  { name: 'u*GCU', aliases: ['microgcu'], factor: 1e-6 },
  { name: 'm*GCU', aliases: ['milligcu'], factor: 1e-3 },
  { name: 'GCU', aliases: ['gcu'], factor: 1 },
  { name: 'k*GCU', aliases: ['kilogcu'], factor: 1e3 },
  { name: 'M*GCU', aliases: ['megagcu'], factor: 1e6 },
  { name: 'G*GCU', aliases: ['gigagcu'], factor: 1e9 },
  { name: 'T*GCU', aliases: ['teragcu'], factor: 1e12 },
  { name: 'P*GCU', aliases: ['petagcu'], factor: 1e15 },
];

const families: UnitFamily[] = [
  { units: byteUnits, fallback: byteUnits[0]! },
  { units: timeUnits, fallback: { name: 's', aliases: [], factor: 1e9 } },
  { units: gcuUnits, fallback: { name: 'GCU', aliases: [], factor: 1 } },
];

function findUnit(family: UnitFamily, unit: string): Unit | undefined {
  let u = unit.toLowerCase();
  if (u.length > 2 && u.endsWith('s')) u = u.slice(0, -1);
  for (const x of family.units) if (x.aliases.includes(u)) return x;
  return undefined;
}

function autoScale(family: UnitFamily, value: number): [number, string] | undefined {
  let f = 0;
  let name = '';
  for (const u of family.units) {
    if (u.factor >= f && value / u.factor >= 1) {
      f = u.factor;
      name = u.name;
    }
  }
  return f === 0 ? undefined : [value / f, name];
}

/**
 * scaleValue converts value from fromUnit to toUnit, as pprof's
 * measurement.Scale: toUnit "minimum"/"auto" picks the largest unit the
 * value reaches; unknown units pass through unchanged.
 */
export function scaleValue(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scaleValue(-value, fromUnit, toUnit);
    return [-v, u];
  }
  for (const family of families) {
    const from = findUnit(family, fromUnit);
    if (!from) continue;
    const v = value * from.factor;
    if (toUnit === 'minimum' || toUnit === 'auto') {
      const scaled = autoScale(family, v);
      if (scaled) return scaled;
      return [v / family.fallback.factor, family.fallback.name];
    }
    const to = findUnit(family, toUnit);
    if (!to) return [v / family.fallback.factor, family.fallback.name];
    return [v / to.factor, to.name];
  }
  switch (toUnit) {
    case 'count': case 'sample': case 'unit': case 'minimum': case 'auto':
      return [value, ''];
    default:
      return [value, toUnit];
  }
}

/** scaledLabel formats value in toUnit with two decimals, trailing ".00" dropped (pprof's ScaledLabel). */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scaleValue(value, fromUnit, toUnit);
  let sv = goFixed(v, 2);
  if (sv.endsWith('.00')) sv = sv.slice(0, -3);
  if (sv === '0' || sv === '-0') return '0';
  return sv + u;
}

/** autoLabel formats value in its most natural unit (pprof's measurement.Label). */
export function autoLabel(value: number, unit: string): string {
  return scaledLabel(value, unit, 'auto');
}

/** unitsCompatible reports whether two value types can be merged (same kind, convertible units). */
export function valueTypesCompatible(a: ValueType | undefined, b: ValueType | undefined): boolean {
  if (!a || !b) return true;
  if (a.type.replace(/s$/, '') !== b.type.replace(/s$/, '')) return false;
  if (a.unit === b.unit) return true;
  return families.some((f) => findUnit(f, a.unit) !== undefined && findUnit(f, b.unit) !== undefined);
}

/**
 * commonValueType picks the finest unit among compatible value types, or
 * returns undefined for fewer than two; incompatible types are an Error
 * message for the caller to wrap.
 */
export function commonValueType(types: ValueType[]): ValueType | undefined {
  if (types.length <= 1) return undefined;
  let min = types[0]!;
  for (const t of types.slice(1)) {
    if (!valueTypesCompatible(min, t)) {
      throw new Error(`incompatible types: {${min.type} ${min.unit}} {${t.type} ${t.unit}}`);
    }
    if (scaleValue(1, t.unit, min.unit)[0] < 1) min = t;
  }
  return { ...min };
}
