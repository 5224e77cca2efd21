/**
 * A device's bus accesses. Each access is split at 4 KiB pages, each page translated by
 * the device's translator (direct: bus address == PA), then read or written in physical
 * memory. One `dma` record per page chunk says what reached memory, or that it faulted.
 */
import type { Machine } from '../machine.ts';
import { debugDmaDeviceAccess } from '../dma/debug.ts';
import type { FieldsFor } from '../trace-kinds.ts';
import { PAGE_SIZE, readInto, writeRange } from '../mem/phys.ts';
import type { DeviceBase } from './device.ts';
import { serviceFamily } from '../core/keys.ts';

/**
 * What a translator found for one bus address: where it went, and the `dma` record fields
 * that say how (each translator sets the ones it has; the rest stay undefined).
 */
export interface Translation {
  /** The PA reached (when the translator returned true). */
  pa: number;
  /** Translation-fault protect: a faulting access is served from here instead. */
  protect: number | undefined;
  pasid: number | undefined;
  atc: FieldsFor<'dma'>['atc'];
  reason: string | undefined;
  mmu: FieldsFor<'dma'>['mmu'];
  hit: FieldsFor<'dma'>['hit'];
  fault: string | undefined;
  /** VT-d: the fault reason code (with `fault` its text). */
  faultReason: number | undefined;
  m4uPa: number | undefined;
  via: string | undefined;
}

/**
 * Translate one bus address (within a page) for a device, filling `out`; true when the
 * access reaches memory. May emit records itself (a fault, a checker finding) but must not
 * start another device access (`out` is the caller's one scratch).
 */
export type Translator = (m: Machine, dev: DeviceBase, addr: number, write: boolean, out: Translation) => boolean;

/** The translator of a name a device carries in `translator` ("direct", "mtk", "sva"). */
export const translatorKey = serviceFamily<Translator>('translator');

/** No IOMMU: the bus address is the PA. One function for every machine, so a call site that saw it stays monomorphic. */
const directTranslate: Translator = (_m, _dev, addr, _write, out) => {
  out.pa = addr;
  return true;
};

export function provideDirectTranslator(m: Machine): void {
  m.provide(translatorKey('direct'), directTranslate);
}

/**
 * A translator's out-object with nothing filled: a blank `dma` record, whose fields include
 * every Translation field. Every out-object has that one shape (translators and the record's
 * encoder stay monomorphic); callers create one and reuse it, as port.ts does.
 */
export function translationCreate(): Translation {
  return dmaRecordCreate() as unknown as Translation;
}

/** Forget what the last translation filled in (everything but `pa`, which a success sets). */
export function translationReset(out: Translation): void {
  out.protect = out.pasid = out.reason = out.mmu = out.fault = out.faultReason = out.m4uPa = out.atc = out.hit = out.via = undefined;
}

/**
 * The chunk's translation and, when the store only encodes it, its `dma` record: one object,
 * so the translator's findings are already in the record and nothing is copied per access.
 */
const xlRecord = dmaRecordCreate();
const xl = xlRecord as unknown as Translation;

/**
 * One page chunk through the translator: `xl` holds the outcome. When the `dma` record is
 * quiet nothing reads the record fields, only `pa` (set on success) and `protect` (read on a
 * fault): those are all that need clearing. A record is built only after a full reset.
 */
function translate(m: Machine, t: Translator, dev: DeviceBase, addr: number, write: boolean): boolean {
  if (m.quiet.dma) xl.protect = undefined;
  else translationReset(xl);
  return t(m, dev, addr, write, xl);
}

type DmaRecord = { -readonly [F in keyof FieldsFor<'dma'>]: FieldsFor<'dma'>[F] } & { seq: number; t: number; kind: 'dma' };

/**
 * A `dma` record with every field present, so its encoder stays monomorphic. seq, t and kind
 * are in the literal already (emit() fills them in place): a record given them afterwards
 * would need a second property store allocated, per access.
 */
function dmaRecordCreate(): DmaRecord {
  return {
    seq: 0, t: 0, kind: 'dma', dev: '', addr: 0, len: 0, dir: 'read', result: 'ok', pa: undefined, pasid: undefined, atc: undefined,
    reason: undefined, mmu: undefined, hit: undefined, fault: undefined, faultReason: undefined, protect: undefined, m4uPa: undefined, via: undefined,
  };
}

/**
 * The chunk's `dma` record. While only the trace store will see it (Machine.reuses), it is
 * `xl` itself, the translation's fields already in place; otherwise a new object, copied.
 */
function dmaRecord(m: Machine, dev: DeviceBase, addr: number, len: number, dir: 'read' | 'write', ok: boolean): void {
  const reuse = m.reuses('dma');
  const r = reuse ? xlRecord : dmaRecordCreate();
  r.dev = dev.name;
  r.addr = addr;
  r.len = len;
  r.dir = dir;
  r.result = ok ? 'ok' : 'fault';
  if (reuse) {
    // A failed translation leaves pa as it was; the next one sets it when it succeeds.
    if (!ok) r.pa = undefined;
    m.emitReused('dma', r);
    return;
  }
  r.pa = ok ? xl.pa : undefined;
  r.pasid = xl.pasid;
  r.atc = xl.atc;
  r.reason = xl.reason;
  r.mmu = xl.mmu;
  r.hit = xl.hit;
  r.fault = xl.fault;
  r.faultReason = xl.faultReason;
  r.protect = xl.protect;
  r.m4uPa = xl.m4uPa;
  r.via = xl.via;
  m.emit('dma', r);
}

/**
 * A translator lookup that remembers its last answer, by machine and name: the callers on a
 * DMA path ask for the same one again and again. Each caller keeps its own (one shared memo
 * would thrash between a device's translator and the IOMMU behind it).
 */
export function translatorMemo(): (m: Machine, name: string) => Translator {
  let lastMachine: Machine | undefined;
  let lastName = '';
  let last: Translator | undefined;
  return (m, name) => {
    if (m !== lastMachine || name !== lastName) {
      last = m.service<Translator>(translatorKey(name));
      lastMachine = m;
      lastName = name;
    }
    return last!;
  };
}

const deviceTranslator = translatorMemo();

/** The device's translator (a service looked up by the name in its plain state). */
const translatorOf = (m: Machine, dev: DeviceBase): Translator => deviceTranslator(m, dev.translator);

/** The device reads memory. Faulting chunks read as zero (or the protect buffer). */
export function deviceRead(m: Machine, dev: DeviceBase, addr: number, len: number): { data: Uint8Array; ok: boolean } {
  const data = new Uint8Array(len);
  const ok = deviceReadInto(m, dev, addr, data, len);
  return { data, ok };
}

/**
 * deviceRead into the caller's buffer data[0, len) (a faulting chunk reads as zero, or as the
 * protect buffer): true when no chunk faulted. For devices that only look at what they read,
 * so a scratch buffer serves every access. With `data` null nothing is copied: the access is
 * translated and recorded as ever (a device whose reads only feed a record nobody builds,
 * while fast-forwarding, need not copy the bytes: nothing in the machine depends on them).
 */
export function deviceReadInto(m: Machine, dev: DeviceBase, addr: number, data: Uint8Array | null, len: number): boolean {
  const t = translatorOf(m, dev);
  let ok = true;
  for (let off = 0; off < len; ) {
    const cur = addr + off;
    // cur & (PAGE_SIZE - 1) is exact for any safe integer (ToInt32 keeps the low 32 bits).
    const room = PAGE_SIZE - (cur & (PAGE_SIZE - 1));
    const n = len - off < room ? len - off : room;
    if (translate(m, t, dev, cur, false)) {
      if (data !== null) readInto(m.state.mem, xl.pa, data, off, n);
      if (m.quiet.dma) m.skip();
      else dmaRecord(m, dev, cur, n, 'read', true);
    } else {
      ok = false;
      if (data !== null) {
        data.fill(0, off, off + n);
        if (xl.protect !== undefined) readInto(m.state.mem, xl.protect, data, off, Math.min(n, 128));
      }
      if (m.quiet.dma) m.skip();
      else dmaRecord(m, dev, cur, n, 'read', false);
    }
    off += n;
  }
  debugDmaDeviceAccess(m, dev, addr, len);
  return ok;
}

/** The device writes memory. Faulting chunks are dropped (or land in the protect buffer). */
export function deviceWrite(m: Machine, dev: DeviceBase, addr: number, data: Uint8Array): boolean {
  const t = translatorOf(m, dev);
  const len = data.length;
  let ok = true;
  for (let off = 0; off < len; ) {
    const cur = addr + off;
    const n = Math.min(len - off, PAGE_SIZE - (cur & (PAGE_SIZE - 1)));
    if (translate(m, t, dev, cur, true)) {
      writeRange(m.state.mem, xl.pa, data, off, n);
      if (m.quiet.dma) m.skip();
      else dmaRecord(m, dev, cur, n, 'write', true);
    } else {
      ok = false;
      if (xl.protect !== undefined) writeRange(m.state.mem, xl.protect, data, off, Math.min(n, 128));
      if (m.quiet.dma) m.skip();
      else dmaRecord(m, dev, cur, n, 'write', false);
    }
    off += n;
  }
  debugDmaDeviceAccess(m, dev, addr, len);
  return ok;
}
