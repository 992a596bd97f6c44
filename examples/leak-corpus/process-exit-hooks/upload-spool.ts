/**
 * An upload service spools each upload in memory and registers a hook to
 * flush the spool to disk if the process is about to exit, so nothing is
 * lost on shutdown. The hook is never removed when the upload completes: a
 * server does not exit, so every upload's hook, and the spool it closes
 * over, stays on `process` for good.
 */

/** Spool is one upload's chunks, kept until they are written. */
export interface Spool {
  uploadId: string;
  chunks: string[];
  bytes: number;
}

/** spoolUpload receives one upload into memory. */
export function spoolUpload(uploadId: string, seq: number): Spool {
  const chunks: string[] = [];
  let bytes = 0;
  for (let i = 0; i < 96; i++) {
    const chunk = `${uploadId}:${seq}:${i}:` + 'data'.repeat(256);
    chunks.push(chunk);
    bytes += chunk.length;
  }
  return { uploadId, chunks, bytes };
}

/** acceptUpload spools an upload and makes sure it is flushed if the process exits first. */
export function acceptUpload(uploadId: string, seq: number): string {
  const spool = spoolUpload(uploadId, seq);
  const flushOnExit = () => {
    process.stderr.write(`flushing ${spool.uploadId}: ${spool.bytes} bytes\n`);
  };
  process.on('beforeExit', flushOnExit);
  // (The upload completes here, but flushOnExit is never removed.)
  return JSON.stringify({ uploadId, bytes: spool.bytes });
}
