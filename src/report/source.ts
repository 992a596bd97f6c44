import { readFileSync } from 'node:fs';
import { isAbsolute, join, dirname } from 'node:path';
import { TsprofError } from '../errors.js';
import type { GraphNode } from '../graph/node.js';
import { padLeft } from '../profile/go-format.js';
import { type Report, newTrimmedGraph, percentage, trimPath } from './report.js';

/** SourceReader reads source files once each, finding them on the search path as pprof does. */
class SourceReader {
  private readonly files = new Map<string, string[]>();
  private readonly errors = new Map<string, string>();
  constructor(private readonly searchPath: string, private readonly trim: string) {}

  private open(path: string): string {
    path = trimPath(path, this.trim, this.searchPath);
    if (isAbsolute(path)) {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new Error(`open ${path}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
      }
    }
    for (let dir of this.searchPath.split(':').filter((d) => d !== '')) {
      for (;;) {
        try {
          return readFileSync(join(dir, path), 'utf8');
        } catch { /* try the parent */ }
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    throw new Error(`could not find file ${path} on path ${this.searchPath}`);
  }

  line(path: string, lineno: number): string | undefined {
    let lines = this.files.get(path);
    if (!lines) {
      lines = [''];
      try {
        const text = this.open(path);
        const parts = text.split('\n');
        if (parts[parts.length - 1] === '') parts.pop();
        lines.push(...parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
      } catch (err) {
        this.errors.set(path, (err as Error).message);
      }
      this.files.set(path, lines);
    }
    if (lineno <= 0 || lineno >= lines.length) return undefined;
    return lines[lineno];
  }

  error(path: string): string | undefined {
    return this.errors.get(path);
  }
}

function sum(nodes: GraphNode[]): [number, number] {
  let flat = 0, cum = 0;
  for (const n of nodes) { flat += n.flat; cum += n.cum; }
  return [flat, cum];
}

function valueOrDot(rpt: Report, v: number): string {
  return v === 0 ? '.' : rpt.formatValue(v);
}

/** printSource renders -list=RE: each matching function's source, lines annotated with flat and cum. */
export function printSource(rpt: Report): string {
  const o = rpt.options;
  const rx = o.symbol!;
  const g = newTrimmedGraph(rpt).graph;
  const functions: GraphNode[] = [];
  const functionNodes = new Map<string, GraphNode[]>();
  for (const n of g.nodes) {
    if (!rx.test(n.info.name)) continue;
    const list = functionNodes.get(n.info.name);
    if (list) list.push(n);
    else {
      functions.push(n);
      functionNodes.set(n.info.name, [n]);
    }
  }
  functions.sort((a, b) => (a.info.name < b.info.name ? -1 : a.info.name > b.info.name ? 1 : a.infoString() < b.infoString() ? -1 : 1));
  if (functionNodes.size === 0) throw new TsprofError(`no matches found for regexp: ${rx.source}`);
  const reader = new SourceReader(o.sourcePath !== '' ? o.sourcePath : o.cwd ?? process.cwd(), o.trimPath);
  const out: string[] = [`Total: ${rpt.formatValue(rpt.total)}\n`];
  for (const fn of functions) {
    const name = fn.info.name;
    const sourceFiles: GraphNode[] = [];
    const fileNodes = new Map<string, GraphNode[]>();
    for (const n of functionNodes.get(name)!) {
      if (n.info.file === '') continue;
      const list = fileNodes.get(n.info.file);
      if (list) list.push(n);
      else {
        sourceFiles.push(n);
        fileNodes.set(n.info.file, [n]);
      }
    }
    if (sourceFiles.length === 0) {
      out.push(`No source information for ${name}\n`);
      continue;
    }
    sourceFiles.sort((a, b) => (a.info.file !== b.info.file ? (a.info.file < b.info.file ? -1 : 1) : a.info.startLine - b.info.startLine));
    for (const fl of sourceFiles) {
      const filename = fl.info.file;
      const fns = fileNodes.get(filename)!;
      const [flatSum, cumSum] = sum(fns);
      out.push(`ROUTINE ======================== ${name} in ${filename}\n`);
      out.push(`${padLeft(rpt.formatValue(flatSum), 10)} ${padLeft(rpt.formatValue(cumSum), 10)} (flat, cum) ${percentage(cumSum, rpt.total)} of Total\n`);
      const margin = 5;
      let start = fns[0]!.info.startLine !== 0 ? fns[0]!.info.startLine : fns[0]!.info.lineno - margin;
      let end = fns[0]!.info.lineno + margin;
      const lineNodes = new Map<number, GraphNode[]>();
      for (const n of fns) {
        const lineno = n.info.lineno;
        const nodeStart = n.info.startLine !== 0 ? n.info.startLine : lineno - margin;
        const nodeEnd = lineno + margin;
        if (nodeStart < start) start = nodeStart;
        else if (nodeEnd > end) end = nodeEnd;
        const list = lineNodes.get(lineno);
        if (list) list.push(n); else lineNodes.set(lineno, [n]);
      }
      if (start < 1) start = 1;
      const rows: string[] = [];
      for (let lineno = start; lineno <= end; lineno++) {
        const line = reader.line(filename, lineno);
        if (line === undefined) break;
        const [flat, cum] = sum(lineNodes.get(lineno) ?? []);
        rows.push(`${padLeft(valueOrDot(rpt, flat), 10)} ${padLeft(valueOrDot(rpt, cum), 10)} ${String(lineno).padStart(6)}:${line.replace(/\n+$/, '')}\n`);
      }
      const err = reader.error(filename);
      if (err !== undefined) {
        out.push(` Error: ${err}\n`);
        continue;
      }
      out.push(...rows);
    }
  }
  return out.join('');
}
