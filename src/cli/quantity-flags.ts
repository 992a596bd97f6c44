import { UsageError } from '../errors.js';
import { parseByteSize } from '../units/byte-size.js';
import { parseDuration } from '../units/duration.js';
import { QuantityError } from '../units/quantity-error.js';

/** asUsageError names the flag in a QuantityError and makes it a usage error (exit status 2). */
function asUsageError(err: unknown, flag: string): unknown {
  if (!(err instanceof QuantityError)) return err;
  return new UsageError(`invalid ${err.quantity} ${JSON.stringify(err.text)} for -${flag} (e.g. ${err.examples})`);
}

/** durationFlag reads the value of a duration flag (e.g. -interval 5s) in milliseconds; bad input is a UsageError naming the flag. */
export function durationFlag(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw asUsageError(err, flag);
  }
}

/** byteSizeFlag reads the value of a size flag (e.g. -min_growth 1MB) in bytes; bad input is a UsageError naming the flag. */
export function byteSizeFlag(text: string, flag: string): number {
  try {
    return parseByteSize(text);
  } catch (err) {
    throw asUsageError(err, flag);
  }
}
