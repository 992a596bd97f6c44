/** topRows parses `-top` text into its cells per row: flat, flat%, sum%, cum, cum%, name. */
export function topRows(text: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s+flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l));
  if (start < 0) throw new Error(`no -top header in:\n${text}`);
  return lines.slice(start + 1).filter((l) => l.trim() !== '').map((l) => {
    const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s{2}(.*)$/.exec(l);
    if (!m) throw new Error(`not a -top row: ${JSON.stringify(l)}`);
    return m.slice(1, 7);
  });
}
