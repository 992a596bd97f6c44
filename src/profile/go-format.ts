/**
 * Go's fmt number formatting, where it differs from JavaScript's: pprof's
 * output must match digit for digit.
 */

/**
 * goFixed is Go's %.{prec}f: correctly rounded, exact ties to even (JS
 * toFixed rounds exact ties up, e.g. 0.125 → "0.13" where Go prints "0.12").
 */
export function goFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  // An exact tie lies halfway between two prec-digit decimals, so it is a
  // multiple of 2^-(prec+1) (scaling by a power of two is exact) whose
  // (then exact) prec+1-digit expansion ends in 5.
  if (Number.isInteger(x * 2 ** (prec + 1)) && Math.abs(x) < 2 ** 50) {
    const exact = x.toFixed(prec + 1);
    if (exact.endsWith('5')) {
      const neg = exact.startsWith('-');
      const digits = exact.replace('-', '').replace('.', '').slice(0, -1);
      let n = BigInt(digits);
      if (n % 2n === 1n) n += 1n; // round half to even
      let body = n.toString().padStart(prec + 1, '0');
      if (prec > 0) body = body.slice(0, -prec) + '.' + body.slice(-prec);
      return (neg ? '-' : '') + body;
    }
  }
  return x.toFixed(prec);
}

/**
 * goG is Go's %.{prec}g: prec significant digits, exponent form when the
 * exponent is < -4 or >= prec, trailing zeros removed.
 */
export function goG(x: number, prec: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const p = prec === 0 ? 1 : prec;
  const [mant, exp] = toExponentialHalfEven(x, p - 1);
  if (exp < -4 || exp >= p) {
    let m = mant;
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const sign = exp < 0 ? '-' : '+';
    const ae = Math.abs(exp);
    return `${m}e${sign}${ae < 10 ? '0' + ae : ae}`;
  }
  let s = goFixed(x, Math.max(0, p - 1 - exp));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** exactDecimal is the exact decimal expansion of |x| as digits and the count of them after the point. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e = -1074;
  if (expBits !== 0) {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (e >= 0) return { digits: mant << BigInt(e), scale: 0 };
  return { digits: mant * 5n ** BigInt(-e), scale: -e };
}

/**
 * toExponentialHalfEven is toExponential(fd) split into mantissa and
 * exponent, except that exact ties round to even as Go does.
 */
function toExponentialHalfEven(x: number, fd: number): [string, number] {
  const [mant, expText] = x.toExponential(fd).split('e') as [string, string];
  const longer = x.toExponential(fd + 1).split('e')[0]!;
  if (!longer.endsWith('5')) return [mant, Number(expText)];
  // Possibly a tie: decide on the exact value.
  const { digits, scale } = exactDecimal(x);
  const text = digits.toString();
  const sig = fd + 1;
  if (text.length <= sig) return [mant, Number(expText)];
  const rest = text.slice(sig);
  if (!/^50*$/.test(rest)) return [mant, Number(expText)];
  let head = BigInt(text.slice(0, sig));
  if (head % 2n === 1n) head += 1n;
  let headText = head.toString();
  let exp = text.length - scale - 1;
  if (headText.length > sig) { headText = headText.slice(0, sig); exp++; }
  const m = (x < 0 ? '-' : '') + headText[0] + (sig > 1 ? '.' + headText.slice(1) : '');
  return [m, exp];
}

/** padLeft right-aligns s in width columns, as Go's %{width}s (counting runes). */
export function padLeft(s: string, width: number): string {
  const n = [...s].length;
  return n >= width ? s : ' '.repeat(width - n) + s;
}

/** padRight left-aligns s in width columns, as Go's %-{width}s. */
export function padRight(s: string, width: number): string {
  const n = [...s].length;
  return n >= width ? s : s + ' '.repeat(width - n);
}
