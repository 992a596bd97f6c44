/**
 * importV8Profile converts V8's own profile formats (.cpuprofile, .heapprofile)
 * to pprof. Returns the encoded (uncompressed) pprof bytes, or null when the
 * text is not a V8 profile. Throws TsprofError when it is one but is broken.
 * (Placeholder until the V8 importers land: recognises nothing yet.)
 */
export function importV8Profile(_text: string, _sourceName: string): Uint8Array | null {
  return null;
}
