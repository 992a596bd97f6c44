/**
 * isRuntimeFrame: Node's own modules, and every frame without a file: V8's
 * builtins (`join`, `replace`, `from`) and pseudo-frames like `(program)`.
 * Nobody can edit those; the site is the caller that called them.
 */
export function isRuntimeFrame(frame: { readonly file: string }): boolean {
  if (frame.file.startsWith('node:') || frame.file.startsWith('internal/')) return true;
  return frame.file === '';
}
