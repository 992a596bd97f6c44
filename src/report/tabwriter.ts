/**
 * alignColumns lays out tab-separated cells as Go's text/tabwriter does
 * (minwidth 0, padding 1, padchar ' ', AlignRight when alignRight): a column
 * spans consecutive lines that have a tab-terminated cell in it; the text
 * after a line's last tab is not part of any column.
 */
export function alignColumns(text: string, alignRight: boolean): string {
  if (text === '') return '';
  const lines = text.split('\n');
  const trailingNewline = lines.length > 0 && lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[][] = cells.map((c) => new Array(Math.max(0, c.length - 1)).fill(0));
  const width = (s: string) => [...s].length;

  const format = (from: number, to: number, col: number): void => {
    let i = from;
    while (i < to) {
      if (cells[i]!.length - 1 <= col) { i++; continue; }
      let j = i;
      let w = 0;
      while (j < to && cells[j]!.length - 1 > col) {
        w = Math.max(w, width(cells[j]![col]!) + 1);
        j++;
      }
      for (let k = i; k < j; k++) widths[k]![col] = w;
      format(i, j, col + 1);
      i = j;
    }
  };
  format(0, cells.length, 0);

  const out = cells.map((c, li) => {
    let s = '';
    for (let k = 0; k < c.length; k++) {
      const cell = c[k]!;
      if (k === c.length - 1) { s += cell; break; }
      const pad = ' '.repeat(Math.max(0, widths[li]![k]! - width(cell)));
      s += alignRight ? pad + cell : cell + pad;
    }
    return s;
  });
  return out.join('\n') + (trailingNewline ? '\n' : '');
}
