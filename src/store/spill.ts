/**
 * The debugger's spill file: a debugger session's recording (its sealed 1 MiB trace chunks,
 * the event index) and its checkpoints go here, deflated, instead of staying in memory, so a
 * session's memory stays flat however far it runs. One file per session in the workspace's
 * `spill/` directory, appended to and read back with positioned I/O; the session keeps only
 * each chunk's offset and length.
 *
 * The file is unlinked as soon as it is open (POSIX keeps it until the process closes it), so
 * nothing is left behind by a session that ends, crashes or is killed; where unlinking an open
 * file fails, the workspace's sweep removes the files of processes that are gone.
 *
 * A write that fails (a full disk) keeps that chunk and the following ones in memory, with
 * one warning: the session goes on.
 */
import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ChunkVault } from '../sim/core/trace.ts';
import { makeDirs } from './atomic.ts';
import { ioReason } from './io-reason.ts';

export const SPILL_DIR = 'spill';

export interface SpillVault extends ChunkVault {
  /** The file's path (already unlinked where the OS allows it). */
  readonly path: string;
  /** Bytes written to the file. */
  diskBytes(): number;
  close(): void;
}

/** Open file descriptors of vaults the garbage collector dropped: closed then. */
const closer = new FinalizationRegistry<{ fd: number; path?: string }>((h) => release(h));

function release(h: { fd: number; path?: string }): void {
  try {
    closeSync(h.fd);
  } catch {
    /* already closed */
  }
  if (h.path) {
    try {
      unlinkSync(h.path);
    } catch {
      /* gone */
    }
  }
}

/**
 * A spill vault for a session in `workspace`: the file is created at the first chunk sealed
 * (a short session never makes one). If it cannot be created or written, chunks stay in
 * memory (deflated) and `warn` says so once.
 */
export function openSpill(workspace: string, warn?: (line: string) => void): SpillVault {
  const dir = join(workspace, SPILL_DIR);
  const path = join(dir, `${process.pid}.${randomBytes(4).toString('hex')}.spill`);
  let handle: { fd: number; path?: string } | undefined;
  const offsets: number[] = [];
  const lengths: number[] = [];
  /** Chunks kept in memory after the file failed (deflated), by handle. */
  const inMemory = new Map<number, Buffer>();
  let inMemoryBytes = 0;
  let end = 0;
  let failed = false;
  let closed = false;

  const fail = (e: unknown, what: string) => {
    failed = true;
    warn?.(`dmadbg: cannot ${what} the spill file ${path}: ${ioReason(e)}; the recording stays in memory`);
  };
  /** The file, created on first use; undefined once it failed. */
  const file = (): number | undefined => {
    if (failed || closed) return undefined;
    if (handle) return handle.fd;
    try {
      makeDirs(dir);
      handle = { fd: openSync(path, 'w+', 0o600) };
    } catch (e) {
      fail(e, 'create');
      return undefined;
    }
    try {
      unlinkSync(path);
    } catch {
      handle.path = path; // removed at close, or by the workspace's sweep
    }
    closer.register(vault, handle, vault);
    return handle.fd;
  };

  const vault: SpillVault = {
    path,
    put(bytes) {
      const z = deflateRawSync(bytes, { level: constants.Z_BEST_SPEED });
      const h = offsets.length;
      offsets.push(end);
      lengths.push(z.byteLength);
      const fd = file();
      if (fd !== undefined) {
        try {
          let done = 0;
          while (done < z.byteLength) done += writeSync(fd, z, done, z.byteLength - done, end + done);
          end += z.byteLength;
          return h;
        } catch (e) {
          fail(e, 'write');
        }
      }
      inMemory.set(h, z);
      inMemoryBytes += z.byteLength;
      return h;
    },
    get(h) {
      const kept = inMemory.get(h);
      if (kept) return inflateRawSync(kept);
      const z = Buffer.allocUnsafe(lengths[h]);
      let done = 0;
      while (done < z.byteLength) {
        const n = readSync(handle!.fd, z, done, z.byteLength - done, offsets[h] + done);
        if (n === 0) throw new Error(`spill file ${path}: chunk ${h} is cut short`);
        done += n;
      }
      return inflateRawSync(z);
    },
    sizeOf: (h) => lengths[h] ?? 0,
    drop(h) {
      const kept = inMemory.get(h);
      if (kept) {
        inMemoryBytes -= kept.byteLength;
        inMemory.delete(h);
      }
      // On disk the bytes stay until clear(): the file only grows while a session runs.
    },
    clear() {
      offsets.length = 0;
      lengths.length = 0;
      inMemory.clear();
      inMemoryBytes = 0;
      end = 0;
      if (handle && !failed) ftruncateSync(handle.fd, 0);
    },
    memoryBytes: () => 16 * offsets.length + inMemoryBytes,
    diskBytes: () => end,
    close() {
      if (closed) return;
      closed = true;
      if (!handle) return;
      closer.unregister(vault);
      release(handle);
    },
  };
  return vault;
}
