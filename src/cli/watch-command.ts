import { TsprofError } from '../errors.js';
import type { CliIO } from './io.js';

/** watchCommand is not built yet. */
export async function watchCommand(_args: string[], _io: CliIO): Promise<number> {
  throw new TsprofError('watch: not implemented yet');
}
