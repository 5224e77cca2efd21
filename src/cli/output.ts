/**
 * The CLI's stdout. Lines are gathered into a small buffer and written to the file
 * descriptor synchronously, so a reader slower than the run slows the run instead of
 * piling output up in memory (Node's process.stdout queues every write on a pipe without
 * bound). A reader that goes away (`dmadbg run x --json | head`) ends the output quietly.
 */
import { writeSync } from 'node:fs';

/** Bytes, and lines, gathered before a write: at most a few hundred records are ever held. */
const HIGH_WATER = 64 * 1024;
export const MAX_BUFFERED_LINES = 1024;
/** Longest pause between tries while a non-blocking pipe is full. */
const MAX_PAUSE_MS = 16;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Block this thread for `ms` (the run cannot go on until the reader has taken output). */
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export class Out {
  private buf: string[] = [];
  private bytes = 0;
  closed = false;
  /** Most lines held at once (the buffer is bounded; tests check it stays so). */
  peakLines = 0;

  constructor(private readonly fd = 1) {}

  line(s: string): void {
    if (this.closed) return;
    this.buf.push(s);
    this.bytes += s.length + 1;
    if (this.buf.length > this.peakLines) this.peakLines = this.buf.length;
    if (this.bytes >= HIGH_WATER || this.buf.length >= MAX_BUFFERED_LINES) this.flush();
  }

  /** Raw bytes (whole lines, newline-terminated), written before this returns. */
  raw(b: Uint8Array): void {
    if (this.closed) return;
    this.flush();
    this.writeAll(b);
  }

  /** Write what is buffered, waiting for the reader as long as it takes. */
  flush(): void {
    if (!this.buf.length || this.closed) return;
    const data = Buffer.from(this.buf.join('\n') + '\n', 'utf8');
    this.buf = [];
    this.bytes = 0;
    this.writeAll(data);
  }

  private writeAll(data: Uint8Array): void {
    let off = 0;
    let wait = 1;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off, data.length - off);
        wait = 1;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          // A non-blocking pipe is full: the reader is slower than we are.
          pause(wait);
          wait = Math.min(wait * 2, MAX_PAUSE_MS);
          continue;
        }
        if (code === 'EPIPE' || code === 'EBADF' || code === 'ECONNRESET') {
          this.closed = true;
          return;
        }
        throw e;
      }
    }
  }

  /** Flush what is left. */
  async end(): Promise<void> {
    this.flush();
  }
}

/** Print lines to stdout through an Out (list, info, validate: `| head` ends them quietly). */
export function printLines(lines: Iterable<string>): void {
  const out = new Out();
  for (const l of lines) out.line(l);
  out.flush();
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
