/**
 * A string's fingerprint: a 32-bit FNV-1a hash of its first 256 UTF-16 code
 * units, in hex. The agent records it for each external string it samples
 * (Buffer#toString of a large buffer); a heap snapshot names each string by
 * its first characters (V8 keeps up to 1024), so the same fingerprint of a
 * snapshot's string tells which sampled site made it, with no copy of the
 * contents leaving the process. Strings that begin alike (responses of one
 * endpoint) share a fingerprint, which is what joining them to a site needs.
 */
export const fingerprintLength = 256;

/** stringFingerprint is the fingerprint of `s` (its first fingerprintLength code units). */
export function stringFingerprint(s: string): string {
  let hash = 0x811c9dc5;
  const n = Math.min(s.length, fingerprintLength);
  for (let i = 0; i < n; i++) {
    hash ^= s.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
