/**
 * The seeds that did not pass, kept on disk while a swarm runs. A family that fails often
 * makes ~180 MB of results per million seeds, and one swarm may run a hundred million: held
 * in the main thread's heap, they would end a long swarm with V8's out-of-memory abort.
 *
 * Batches arrive as their workers finish them; each is written, as one line of JSON text,
 * once every batch before it is in, so the file reads back in seed order. The file is
 * unlinked as soon as it is open, so it goes with the process however that ends (Ctrl-C,
 * kill); where the system cannot unlink an open file, it is removed at exit.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, UsageError } from '../output.ts';
import { ioReason } from '../../store/io-reason.ts';

/** Bytes read back at a time. */
const CHUNK = 1 << 20;

/** `where` is the directory the user chose (TMPDIR), not the spool's own unlinked one. */
function spoolError(where: string, e: unknown): UsageError {
  return new UsageError(`swarm: cannot keep the failing seeds' results in ${where}: ${ioReason(e)}; set TMPDIR to a directory with room`, EXIT.error);
}

export class ResultSpool {
  private readonly fd: number;
  private readonly dir: string;
  private size = 0;
  /** The next batch to write; later ones wait for it. */
  private next = 0;
  private readonly waiting = new Map<number, string>();
  private closed = false;

  /** `parent`: where the file goes (TMPDIR); `chunk`: bytes read back at a time. */
  constructor(private readonly parent = tmpdir(), private readonly chunk = CHUNK) {
    try {
      this.dir = mkdtempSync(join(parent, 'dmadbg-spool-'));
    } catch (e) {
      throw spoolError(parent, e);
    }
    const file = join(this.dir, 'results');
    try {
      this.fd = openSync(file, 'w+', 0o600);
    } catch (e) {
      rmSync(this.dir, { recursive: true, force: true });
      throw spoolError(parent, e);
    }
    try {
      rmSync(this.dir, { recursive: true });
    } catch {
      process.once('exit', () => rmSync(this.dir, { recursive: true, force: true }));
    }
  }

  /** Batch `batch`'s results: the JSON text of its SeedResult array, '' when all passed. */
  put(batch: number, text: string): void {
    this.waiting.set(batch, text);
    for (let t = this.waiting.get(this.next); t !== undefined; t = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      if (t) this.write(`${t}\n`);
    }
  }

  private write(s: string): void {
    const b = Buffer.from(s, 'utf8');
    try {
      for (let off = 0; off < b.length; ) off += writeSync(this.fd, b, off, b.length - off, this.size + off);
    } catch (e) {
      throw spoolError(this.parent, e);
    }
    this.size += b.length;
  }

  /** Batches still waiting for an earlier one (none once every batch is in). */
  get pending(): number {
    return this.waiting.size;
  }

  /** The batches that had a seed not pass, in seed order: each the JSON text of its results. */
  *texts(): Generator<string> {
    const buf = Buffer.alloc(this.chunk);
    // Bytes of a line that runs on past the chunk: kept as bytes, since a chunk may end
    // inside a UTF-8 sequence (a newline byte never does).
    let rest: Buffer[] = [];
    for (let pos = 0; pos < this.size; ) {
      let n: number;
      try {
        n = readSync(this.fd, buf, 0, Math.min(buf.length, this.size - pos), pos);
      } catch (e) {
        throw spoolError(this.parent, e);
      }
      if (n === 0) break;
      pos += n;
      let from = 0;
      for (let nl = buf.indexOf(10, from); nl >= 0 && nl < n; nl = buf.indexOf(10, from)) {
        yield rest.length ? Buffer.concat([...rest, buf.subarray(from, nl)]).toString('utf8') : buf.toString('utf8', from, nl);
        rest = [];
        from = nl + 1;
      }
      if (from < n) rest.push(Buffer.from(buf.subarray(from, n)));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
