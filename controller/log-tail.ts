/**
 * The last lines the root logger wrote, for the `diagnostics` command. It sits behind pino's
 * redaction like every other destination, so what it hands out is what the log holds: card
 * numbers, keys and passwords are already "[redacted]".
 */
export class LogTail {
  private readonly lines: string[] = [];

  constructor(
    private readonly capacity = 200,
    private readonly maxLineChars = 2000,
  ) {}

  /** pino's DestinationStream */
  write(line: string): void {
    const text = line.endsWith("\n") ? line.slice(0, -1) : line;
    this.lines.push(text.length > this.maxLineChars ? `${text.slice(0, this.maxLineChars)}…` : text);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  last(n: number): string[] {
    return this.lines.slice(-n);
  }
}
