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
  const scale = 10 ** prec;
  const doubled = x * scale * 2;
  // An exact tie: x*10^prec is exactly k + 0.5 (only possible for dyadic x, where the products are exact).
  if (Math.abs(doubled) < 2 ** 52 && Number.isInteger(doubled) && Math.abs(doubled % 2) === 1) {
    let n = (doubled - 1) / 2; // floor for positive, toward -inf for negative
    if (n % 2 !== 0) n += 1; // to even
    const neg = n < 0 || (n === 0 && x < 0);
    const digits = Math.abs(n).toString().padStart(prec + 1, '0');
    const body = prec > 0 ? digits.slice(0, -prec) + '.' + digits.slice(-prec) : digits;
    return (neg ? '-' : '') + body;
  }
  const s = x.toFixed(prec);
  return s;
}

/**
 * goG is Go's %.{prec}g: prec significant digits, exponent form when the
 * exponent is < -4 or >= prec, trailing zeros removed.
 */
export function goG(x: number, prec: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const p = prec === 0 ? 1 : prec;
  const e = x.toExponential(p - 1); // d.ddde±x, correctly rounded
  const [mant, expText] = e.split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= p) {
    let m = mant;
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const sign = exp < 0 ? '-' : '+';
    const ae = Math.abs(exp);
    return `${m}e${sign}${ae < 10 ? '0' + ae : ae}`;
  }
  let s = x.toFixed(Math.max(0, p - 1 - exp));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
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
