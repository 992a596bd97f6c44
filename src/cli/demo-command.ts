import { TsprofError } from '../errors.js';
import type { CliIO } from './io.js';

/** demoCommand is not built yet. */
export async function demoCommand(_args: string[], _io: CliIO): Promise<number> {
  throw new TsprofError('demo: not implemented yet');
}
