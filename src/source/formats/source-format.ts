import type { Profile } from '../../profile/profile.js';

/** SourceInput is loaded bytes as every source format sees them. */
export interface SourceInput {
  /** name names the input in errors (a file, a URL, "stdin"). */
  name: string;
  /** bytes, already decompressed when they came gzipped. */
  bytes: Uint8Array;
  /** head is the start of the bytes after a UTF-8 byte order mark and leading whitespace, as Latin-1 text, for sniffing. */
  head: string;
  /** text is all the bytes as UTF-8 (without a byte order mark, which JSON.parse refuses), decoded on first use. */
  text(): string;
  /** maxBytes caps decompression while parsing. */
  maxBytes: number;
}

/**
 * SourceFormat is one input format tsprof recognises, as speedscope's
 * importers: sniff looks at the head only and says "maybe mine"; parse
 * returns the Profile, null for "not mine after all", or throws a
 * TsprofError for "mine, but broken" (or mine, but not a profile).
 */
export interface SourceFormat {
  /** name is how users know the format (".cpuprofile", "pprof protobuf"). */
  name: string;
  sniff(input: SourceInput): boolean;
  parse(input: SourceInput): Profile | null;
}

/** headLength is how much of the input sniffing sees. */
const headLength = 256;

/** sourceInput prepares decompressed bytes for the formats: the head to sniff and the text, decoded once. */
export function sourceInput(bytes: Uint8Array, name: string, maxBytes: number): SourceInput {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let i = bom;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(bytes.byteLength - i, headLength)).toString('latin1');
  let text: string | undefined;
  return {
    name,
    bytes,
    head,
    text: () => (text ??= Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.byteLength - bom).toString('utf8')),
    maxBytes,
  };
}

/** startsAsJsonObject says whether the input looks like a JSON object, which only the V8 formats are. */
export function startsAsJsonObject(input: SourceInput): boolean {
  return input.head.startsWith('{');
}
