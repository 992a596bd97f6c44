/**
 * A frame encoder leases 64 KiB buffers from a pool and releases the buffer
 * itself when done, so the pool reuses a handful of buffers for all traffic.
 */

/** ReusingBufferPool hands out fixed-size buffers and takes them back. */
export class ReusingBufferPool {
  readonly free: Buffer[] = [];
  readonly leased = new Set<Buffer>();

  constructor(readonly bufferSize: number) {}

  /** acquire returns a free buffer, or a new one. */
  acquire(): Buffer {
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize).fill(0);
    this.leased.add(buffer);
    return buffer;
  }

  /** release takes a buffer back, if it is one of the pool's. */
  release(buffer: Buffer): void {
    if (this.leased.delete(buffer)) this.free.push(buffer);
  }
}

/** encoderPool is the encoder's pool of 64 KiB buffers. */
export const encoderPool = new ReusingBufferPool(64 * 1024);

/** encodeFrame writes one frame into a pooled buffer and releases that buffer. */
export function encodeFrame(frameId: string): string {
  const buffer = encoderPool.acquire();
  try {
    const written = buffer.write(`frame ${frameId}\n`.repeat(200));
    return JSON.stringify({ frameId, written, pooled: encoderPool.free.length + encoderPool.leased.size });
  } finally {
    encoderPool.release(buffer);
  }
}
