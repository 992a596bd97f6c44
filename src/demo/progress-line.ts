/**
 * ProgressLine shows one self-overwriting status line on a terminal (and
 * nothing elsewhere, so logs and tests get only the permanent lines).
 */
export class ProgressLine {
  private shown = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly enabled: boolean,
  ) {}

  /** update replaces the status line. */
  update(text: string): void {
    if (!this.enabled) return;
    this.out.write(`\r\x1b[K${text}`);
    this.shown = true;
  }

  /** clear removes the status line, before a permanent line is printed. */
  clear(): void {
    if (!this.shown) return;
    this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
