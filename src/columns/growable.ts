/** A growable typed array: one allocation per doubling, not per element. */
export class Growable<T extends Uint32Array | Float64Array> {
  a: T;
  n = 0;
  constructor(private readonly make: (n: number) => T, cap: number) { this.a = make(Math.max(cap, 16)); }
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  /** ensure makes room for k more elements (then write to a[n..] directly). */
  ensure(k: number): void {
    if (this.n + k > this.a.length) this.grow(this.n + k);
  }
  private grow(need: number): void {
    let cap = this.a.length * 2;
    while (cap < need) cap *= 2;
    const b = this.make(cap);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
  /**
   * done returns the elements. Sized from a close upper bound, the array is
   * returned as a view (its untouched tail never becomes resident memory);
   * a loose one is copied to size.
   */
  done(): T {
    if (this.n === this.a.length) return this.a;
    return (this.n * 2 >= this.a.length ? this.a.subarray(0, this.n) : this.a.slice(0, this.n)) as T;
  }
}

/** GrowU32 grows a Uint32Array. */
export type GrowU32 = Growable<Uint32Array>;
/** GrowF64 grows a Float64Array. */
export type GrowF64 = Growable<Float64Array>;
/** growU32 makes a GrowU32 with room for cap elements. */
export const growU32 = (cap: number): GrowU32 => new Growable((n) => new Uint32Array(n), cap);
/** growF64 makes a GrowF64 with room for cap elements. */
export const growF64 = (cap: number): GrowF64 => new Growable((n) => new Float64Array(n), cap);
