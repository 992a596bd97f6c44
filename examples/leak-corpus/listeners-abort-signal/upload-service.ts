/**
 * An upload service lets every upload clean up when the process shuts down:
 * each upload adds an 'abort' listener to the process-wide shutdown signal.
 * The upload finishes but the listener stays, holding the upload's chunks.
 */

/** shutdownController aborts when the service shuts down. */
export const shutdownController = new AbortController();

/** UploadChunks are the parsed chunks of one upload. */
type UploadChunks = { offset: number; checksum: string; note: string }[];

/** parseUploadChunks splits one upload into chunk records. */
export function parseUploadChunks(uploadId: string): UploadChunks {
  const chunks: UploadChunks = [];
  for (let i = 0; i < 350; i++) chunks.push({ offset: i * 4096, checksum: `${uploadId}:${(i * 2654435761) >>> 0}`, note: `chunk ${i}` });
  return chunks;
}

/** acceptUpload parses an upload and registers its cleanup on shutdown (never removed). */
export function acceptUpload(uploadId: string): string {
  const chunks = parseUploadChunks(uploadId);
  shutdownController.signal.addEventListener('abort', () => {
    chunks.length = 0;
  });
  return JSON.stringify({ uploadId, chunks: chunks.length });
}
