/** The CLI's writer for exports: a file (relative to the working directory) or "-" for stdout. */
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ExportWriter } from '../debugger/export/index.ts';
import { Out } from './output.ts';

const BATCH = 1 << 16;

export const writeExportFile: ExportWriter = (path, produce) => {
  let fd: number;
  const full = path === '-' ? 'standard output' : resolve(path);
  try {
    fd = path === '-' ? 1 : openSync(full, 'w');
  } catch (e) {
    return { error: `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  // Small pieces (one Perfetto packet each) gathered into ~64 KiB writes.
  const out = new Out(fd);
  let parts: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (!size) return;
    out.raw(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    parts = [];
    size = 0;
  };
  try {
    produce((b) => {
      parts.push(b.slice());
      size += b.length;
      if (size >= BATCH) flush();
    });
    flush();
  } finally {
    if (fd !== 1) closeSync(fd);
  }
  return { path: full };
};
