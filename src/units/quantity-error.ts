/**
 * QuantityError says a duration or size written by a person could not be
 * read. It names the text and shows examples; callers that know where the
 * text came from (the CLI: which flag) turn it into their own error.
 */
export class QuantityError extends Error {
  constructor(
    /** quantity is what was expected: 'duration' or 'size'. */
    readonly quantity: 'duration' | 'size',
    /** text is the input as given. */
    readonly text: string,
    /** examples of valid input, for the message. */
    readonly examples: string,
  ) {
    super(`invalid ${quantity} ${JSON.stringify(text)} (e.g. ${examples})`);
    this.name = 'QuantityError';
  }
}
