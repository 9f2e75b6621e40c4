/**
 * Output shared by the commands: `OutputWriter`, buffered writes to stdout (or any writable
 * stream) that respect backpressure. `scan` writes its matches through it, `replay` its
 * alerts.
 */
import { drained } from '../pcap/index.js';

/**
 * Buffered output to a writable stream (stdout by default) that respects backpressure:
 * text is collected and written in chunks of about `chunkBytes`, and a write the stream
 * refuses (`write` returns false) is followed by waiting for 'drain' (or 'close'/'error':
 * a reader that left ends the process in main.ts).
 */
export class OutputWriter {
  private buf = '';

  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly chunkBytes = 1 << 16,
  ) {}

  /** Appends text; written by the next `flush` or `flushIfFull`. */
  add(text: string): void {
    this.buf += text;
  }

  /** Characters held, not yet written. */
  get pending(): number {
    return this.buf.length;
  }

  /** Writes when a chunk's worth is held (cheap to call after every input). */
  async flushIfFull(): Promise<void> {
    if (this.buf.length >= this.chunkBytes) await this.flush();
  }

  /** Writes everything held, then waits for 'drain' if the stream asked for it. */
  async flush(): Promise<void> {
    if (this.buf === '') return;
    const text = this.buf;
    this.buf = '';
    if (!this.stream.write(text)) await drained(this.stream);
  }
}
