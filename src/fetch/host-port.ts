/**
 * isHostPort says whether text is a bare `host:port[/path]` (or
 * `[v6addr]:port[/path]`), which pprof takes as an http URL.
 */
export function isHostPort(text: string): boolean {
  return /^[\w.-]+:\d+(\/.*)?$/.test(text) || /^\[[0-9a-fA-F:]+\]:\d+(\/.*)?$/.test(text);
}
