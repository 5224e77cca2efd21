/**
 * Buffered stdout for long outputs (a trace of a million lines), that stops quietly when
 * the reader goes away (`dmadbg run x --json | head`) and tells a producer to wait while
 * the reader is behind (`full`, `drained()`), so a slow pipe slows the run, not memory.
 */
const STAGE_BYTES = 1 << 16;

export class Out {
  private buf: string[] = [];
  private bytes = 0;
  /** Bytes handed over by raw(), copied here (the caller reuses its buffer). */
  private stage = Buffer.allocUnsafe(STAGE_BYTES);
  private staged = 0;
  closed = false;
  /** The stream's buffer is over its high-water mark: wait for drained() before writing more. */
  full = false;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else throw e;
    });
  }

  line(s: string): void {
    if (this.closed) return;
    if (this.staged) this.flushStage();
    this.buf.push(s);
    this.bytes += s.length + 1;
    if (this.bytes > 1 << 16) this.flush();
  }

  /** Raw bytes (whole lines, newline-terminated), copied before this returns. */
  raw(b: Uint8Array): void {
    if (this.closed) return;
    if (this.buf.length) this.flush();
    if (this.staged + b.length > STAGE_BYTES) this.flushStage();
    if (b.length > STAGE_BYTES) {
      this.write(Buffer.from(b));
      return;
    }
    this.stage.set(b, this.staged);
    this.staged += b.length;
  }

  private flushStage(): void {
    if (!this.staged || this.closed) return;
    this.write(this.stage.subarray(0, this.staged));
    this.stage = Buffer.allocUnsafe(STAGE_BYTES); // the stream may still hold the old one
    this.staged = 0;
  }

  flush(): void {
    this.flushStage();
    if (!this.buf.length || this.closed) return;
    this.write(this.buf.join('\n') + '\n');
    this.buf = [];
    this.bytes = 0;
  }

  private write(chunk: string | Uint8Array): void {
    if (!this.stream.write(chunk)) this.full = true;
  }

  /** Resolves once the stream has taken what it holds (at once when it is not full). */
  async drained(): Promise<void> {
    if (!this.full || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
    this.full = false;
  }

  /** Flush and wait until the OS took it, so process.exit does not cut the output. */
  async end(): Promise<void> {
    this.flush();
    if (this.closed) return;
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }
}

/** A user mistake: printed as one line, no stack trace. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export const EXIT = {
  ok: 0,
  /** Invalid scenario, unreadable file, or a run that failed. */
  error: 1,
  /** Bad command-line usage. */
  usage: 2,
  /** A headless debugger run stopped at a breakpoint. */
  stopped: 3,
  /** A simulator assertion: a dmadbg bug. */
  internal: 70,
} as const;
