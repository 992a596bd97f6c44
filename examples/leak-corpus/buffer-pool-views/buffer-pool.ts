/**
 * A frame encoder leases 64 KiB buffers from a pool. The encoder releases a
 * view of the buffer (the part it wrote) instead of the buffer itself, so
 * the pool never recognises it: every lease stays in `leased`, and the pool
 * allocates a fresh buffer for the next one. The memory is outside the V8
 * heap (ArrayBuffer backing stores).
 */

/** BufferPool hands out fixed-size buffers and takes them back. */
export class BufferPool {
  readonly free: Buffer[] = [];
  readonly leased = new Set<Buffer>();

  constructor(readonly bufferSize: number) {}

  /** acquire returns a free buffer, or a new one. */
  acquire(): Buffer {
    const buffer = this.free.pop() ?? allocateFrameBuffer(this.bufferSize);
    this.leased.add(buffer);
    return buffer;
  }

  /** release takes a buffer back, if it is one of the pool's. */
  release(buffer: Buffer): void {
    if (this.leased.delete(buffer)) this.free.push(buffer);
  }
}

/** allocateFrameBuffer allocates one buffer of the pool, outside the V8 heap. */
export function allocateFrameBuffer(size: number): Buffer {
  return Buffer.allocUnsafeSlow(size).fill(0);
}

/** framePool is the encoder's pool of 64 KiB buffers. */
export const framePool = new BufferPool(64 * 1024);

/** encodeFrame writes one frame and releases (a view of) its buffer. */
export function encodeFrame(frameId: string): string {
  const buffer = framePool.acquire();
  const written = buffer.write(`frame ${frameId}\n`.repeat(200));
  framePool.release(buffer.subarray(0, written));
  return JSON.stringify({ frameId, written });
}
