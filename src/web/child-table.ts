/**
 * ChildTable finds a tree node's child by frame, or makes it: an
 * open-addressing hash table whose slots hold (parent, frame, child) side by
 * side in one Int32Array, so a lookup touches one cache line. Building the
 * flame graph's tree does tens of millions of these.
 */
export class ChildTable {
  private slots: Int32Array;
  private mask: number;
  private size = 0;

  /** The table starts at twice the expected entries, a power of two (at least 1024 slots). */
  constructor(expected: number) {
    const slots = 2 ** Math.max(10, Math.ceil(Math.log2(Math.max(1, expected * 2))));
    this.slots = new Int32Array(slots * 3).fill(-1);
    this.mask = slots - 1;
  }

  /** childOf returns the child of parent with frame, or makeChild's new node number (stored for next time). */
  childOf(parent: number, frame: number, nextNode: number): number {
    const slots = this.slots;
    for (let i = hash(parent, frame) & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 3;
      const p = slots[at]!;
      if (p === -1) {
        slots[at] = parent;
        slots[at + 1] = frame;
        slots[at + 2] = nextNode;
        if (++this.size * 2 > this.mask + 1) this.grow();
        return nextNode;
      }
      if (p === parent && slots[at + 1] === frame) return slots[at + 2]!;
    }
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap * 3).fill(-1);
    this.mask = cap - 1;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at] === -1) continue;
      let i = hash(old[at]!, old[at + 1]!) & this.mask;
      while (this.slots[i * 3] !== -1) i = (i + 1) & this.mask;
      this.slots.set(old.subarray(at, at + 3), i * 3);
    }
  }
}

function hash(parent: number, frame: number): number {
  return Math.imul(parent ^ Math.imul(frame + 1, 0x9e3779b1), 0x85ebca6b) >>> 0;
}
