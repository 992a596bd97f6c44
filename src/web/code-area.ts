import type { CodeArea } from './view-data.js';

/**
 * codeArea says where a frame's code lives, from its function name and file:
 * V8 and native code ("(garbage collector)", builtins with no script),
 * Node's own JavaScript (node:internal/..., node:fs), a dependency under
 * node_modules, or the application.
 */
export function codeArea(name: string, file: string): CodeArea {
  if (/^\(.*\)$/.test(name) || (file === '' && name !== '')) return 'native';
  if (file.startsWith('node:') || /^internal[/\\]/.test(file)) return 'node';
  if (/(^|[/\\])node_modules[/\\]/.test(file)) return 'node_modules';
  if (file === '') return 'native';
  return 'app';
}
