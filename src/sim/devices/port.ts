/**
 * A device's bus accesses. Each access is split at 4 KiB pages, each page translated by
 * the device's translator (direct: bus address == PA), then read or written in physical
 * memory. One `dma` record per page chunk says what reached memory, or that it faulted.
 */
import type { Machine } from '../machine.ts';
import { hex } from '../core/hex.ts';
import { PAGE_SIZE, readBytes, writeBytes } from '../mem/phys.ts';
import type { DeviceBase } from './device.ts';
import { serviceFamily } from '../core/keys.ts';

export type Translation =
  | { readonly ok: true; readonly pa: number; readonly extra?: Record<string, unknown> }
  | {
      readonly ok: false;
      readonly extra?: Record<string, unknown>;
      /** Translation-fault protect: a faulting access is served from here instead. */
      readonly protectPa?: number;
    };

/** Translate one bus address (within a page) for a device; may emit fault records itself. */
export type Translator = (m: Machine, dev: DeviceBase, addr: number, write: boolean) => Translation;

/** The translator of a name a device carries in `translator` ("direct", "mtk", "sva"). */
export const translatorKey = serviceFamily<Translator>('translator');

export function provideDirectTranslator(m: Machine): void {
  m.provide<Translator>(translatorKey('direct'), (_m, _dev, addr) => ({ ok: true, pa: addr }));
}

function translate(m: Machine, dev: DeviceBase, addr: number, write: boolean): Translation {
  return m.service<Translator>(translatorKey(dev.translator))(m, dev, addr, write);
}

function* chunks(addr: number, len: number): Generator<[number, number, number]> {
  let done = 0;
  while (done < len) {
    const cur = addr + done;
    const n = Math.min(len - done, PAGE_SIZE - (cur % PAGE_SIZE));
    yield [cur, done, n];
    done += n;
  }
}

/** The device reads memory. Faulting chunks read as zero (or the protect buffer). */
export function deviceRead(m: Machine, dev: DeviceBase, addr: number, len: number): { data: Uint8Array; ok: boolean } {
  const data = new Uint8Array(len);
  let ok = true;
  for (const [cur, off, n] of chunks(addr, len)) {
    const tr = translate(m, dev, cur, false);
    if (tr.ok) {
      data.set(readBytes(m.state.mem, tr.pa, n), off);
      m.emit('dma', { dev: dev.name, addr: hex(cur), len: n, dir: 'read', result: 'ok', pa: hex(tr.pa), ...tr.extra });
    } else {
      ok = false;
      if (tr.protectPa !== undefined) data.set(readBytes(m.state.mem, tr.protectPa, Math.min(n, 128)), off);
      m.emit('dma', { dev: dev.name, addr: hex(cur), len: n, dir: 'read', result: 'fault', ...tr.extra });
    }
  }
  return { data, ok };
}

/** The device writes memory. Faulting chunks are dropped (or land in the protect buffer). */
export function deviceWrite(m: Machine, dev: DeviceBase, addr: number, data: Uint8Array): boolean {
  let ok = true;
  for (const [cur, off, n] of chunks(addr, data.length)) {
    const tr = translate(m, dev, cur, true);
    if (tr.ok) {
      writeBytes(m.state.mem, tr.pa, data.subarray(off, off + n));
      m.emit('dma', { dev: dev.name, addr: hex(cur), len: n, dir: 'write', result: 'ok', pa: hex(tr.pa), ...tr.extra });
    } else {
      ok = false;
      if (tr.protectPa !== undefined) writeBytes(m.state.mem, tr.protectPa, data.subarray(off, off + Math.min(n, 128)));
      m.emit('dma', { dev: dev.name, addr: hex(cur), len: n, dir: 'write', result: 'fault', ...tr.extra });
    }
  }
  return ok;
}
