/**
 * EdgeTable is an open-addressing hash table of (parent, child) node-id
 * pairs with the edge data in typed arrays: the hot loop of graph building
 * touches no objects and allocates nothing per sample.
 */
export class EdgeTable {
  size = 0;
  private mask: number;
  private slots: Int32Array;
  src: Int32Array;
  dest: Int32Array;
  weight: Float64Array;
  weightDiv: Float64Array;
  residual: Uint8Array;
  inline: Uint8Array;
  stamp: Int32Array;

  constructor(capacity: number) {
    let cap = 1024;
    while (cap < capacity * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap).fill(-1);
    const n = cap >> 1;
    this.src = new Int32Array(n);
    this.dest = new Int32Array(n);
    this.weight = new Float64Array(n);
    this.weightDiv = new Float64Array(n);
    this.residual = new Uint8Array(n);
    this.inline = new Uint8Array(n);
    this.stamp = new Int32Array(n);
  }

  private static hash(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  }

  /** find returns the edge index of a → b, creating it (with the given flags) if new. */
  find(a: number, b: number, residual: boolean, inline: boolean): number {
    let h = EdgeTable.hash(a, b) & this.mask;
    for (;;) {
      const e = this.slots[h]!;
      if (e < 0) break;
      if (this.src[e] === a && this.dest[e] === b) return e;
      h = (h + 1) & this.mask;
    }
    if (this.size * 2 >= this.mask) {
      this.grow();
      return this.find(a, b, residual, inline);
    }
    const e = this.size++;
    this.slots[h] = e;
    this.src[e] = a;
    this.dest[e] = b;
    this.residual[e] = residual ? 1 : 0;
    this.inline[e] = inline ? 1 : 0;
    this.stamp[e] = -1;
    return e;
  }

  private grow(): void {
    const old = this;
    const bigger = new EdgeTable((this.mask + 1));
    for (let e = 0; e < old.size; e++) {
      const ne = bigger.find(old.src[e]!, old.dest[e]!, old.residual[e] === 1, old.inline[e] === 1);
      bigger.weight[ne] = old.weight[e]!;
      bigger.weightDiv[ne] = old.weightDiv[e]!;
      bigger.stamp[ne] = old.stamp[e]!;
    }
    this.mask = bigger.mask;
    this.slots = bigger.slots;
    this.src = bigger.src;
    this.dest = bigger.dest;
    this.weight = bigger.weight;
    this.weightDiv = bigger.weightDiv;
    this.residual = bigger.residual;
    this.inline = bigger.inline;
    this.stamp = bigger.stamp;
  }
}
