/**
 * HashIndex finds entries by a 32-bit hash and an equality test, in typed
 * arrays: merging millions of samples builds no key strings.
 */
export class HashIndex {
  private slots: Int32Array;
  private hashes: Uint32Array;
  private size = 0;

  constructor(expected: number) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap).fill(-1);
    this.hashes = new Uint32Array(cap);
  }

  /** find returns the value stored under hash h that satisfies equal, or -1. */
  find(h: number, equal: (value: number) => boolean): number {
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = this.slots[i]!;
      if (v < 0) return -1;
      if (this.hashes[i] === h && equal(v)) return v;
    }
  }

  insert(h: number, value: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i]! >= 0) i = (i + 1) & mask;
    this.slots[i] = value;
    this.hashes[i] = h;
    this.size++;
  }

  private grow(): void {
    const oldSlots = this.slots, oldHashes = this.hashes;
    this.slots = new Int32Array(oldSlots.length * 2).fill(-1);
    this.hashes = new Uint32Array(oldSlots.length * 2);
    this.size = 0;
    for (let i = 0; i < oldSlots.length; i++) if (oldSlots[i]! >= 0) this.insert(oldHashes[i]!, oldSlots[i]!);
  }
}
