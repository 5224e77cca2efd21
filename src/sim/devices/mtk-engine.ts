/**
 * A MediaTek multimedia engine (disp, vdec, img, cam, venc, ipu, ccu) behind a larb port
 * MTK_M4U_ID(larb, port). Its driver takes the larb (mtk_smi_larb_get), maps buffers
 * through the M4U's DMA ops, and the engine reads and writes through the M4U; scenarios
 * also script driver actions: partial iommu_unmap, a remap with or without TLB maintenance,
 * larb power get/put, raw IOVA accesses.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { DMA_MAPPING_ERROR, type DmaDirection, dmaMapSingle, dmaUnmapSingle } from '../dma/api.ts';
import { iommuDomainOf, iommuMap, iommuUnmap } from '../iommu/core.ts';
import { dmaInfoToProt } from '../iommu/dma-iommu.ts';
import { iommuDmaAllocPages } from '../iommu/dma-iommu-alloc.ts';
import { mtkState } from '../iommu/mtk/state.ts';
import { mtkSmiLarbGet, mtkSmiLarbPut } from '../smi/power.ts';
import { workloadNext } from './workload.ts';
import { type DeviceBase, DEVICES } from './device.ts';
import { deviceReadInto, deviceWrite } from './port.ts';
import { patternBytes, readScratch } from './scratch.ts';
import { eventKey } from '../core/keys.ts';

export type MtkEngineOp =
  | { op: 'map'; as: string; pa: number; len: number; dir: DmaDirection }
  | { op: 'unmap'; map: string }
  | { op: 'alloc'; as: string; len: number }
  | { op: 'read'; map: string; offset: number; len: number }
  | { op: 'write'; map: string; offset: number; len: number; pattern: number }
  | { op: 'access'; iova: number; len: number; dir: 'read' | 'write'; pattern: number }
  | { op: 'iommu-unmap'; map: string; offset: number; len: number }
  | { op: 'remap'; map: string; offset: number; len: number; pa: number; flush: boolean }
  | { op: 'larb-get' }
  | { op: 'larb-put' }
  | { op: 'delay'; ns: number };

export interface MtkMapping {
  iova: number;
  pa: number;
  size: number;
  dir: DmaDirection;
}

export interface MtkEngineState extends DeviceBase {
  kind: 'mtk-engine';
  engine: string;
  larb: number;
  port: number;
  ops: MtkEngineOp[];
  pc: number;
  round: number;
  repeat: number;
  periodNs: number;
  mappings: Record<string, MtkMapping>;
}

const STEP = eventKey('mtk-engine.step');

export function mtkEngineRegister(m: Machine): void {
  m.on(STEP, engineStep);
}

export function mtkEngineStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(STEP), index, 0, PRIO.device);
}

function readOp(m: Machine, dev: MtkEngineState, iova: number, len: number): void {
  // Fast-forwarding with no use for the dev-op record: the bytes read would only feed its sum.
  const quiet = m.quiet['dev-op'];
  const data = quiet ? null : readScratch(len);
  const ok = deviceReadInto(m, dev, iova, data, len);
  if (data === null) return m.skip();
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ data[i], 0x01000193) >>> 0;
  m.emit('dev-op', { dev: dev.name, op: ok ? 'read' : 'read-faulted', src: iova, len, sum: h });
}

/**
 * Re-point part of a mapping (iommu_unmap + iommu_map). With flush false this is the driver
 * bug the stale-translation checker exists for: PTEs rewritten with no TLB maintenance.
 */
function remap(m: Machine, dev: MtkEngineState, mp: MtkMapping, op: Extract<MtkEngineOp, { op: 'remap' }>): void {
  const dom = iommuDomainOf(m, dev.name)!;
  const s = mtkState(m);
  s.skipFlush = !op.flush;
  iommuUnmap(m, dom, { iova: mp.iova + op.offset, size: op.len }, op.flush ? 'iommu_unmap' : 'iommu_unmap (no flush)');
  iommuMap(m, dom, { iova: mp.iova + op.offset, pa: op.pa, size: op.len, prot: dmaInfoToProt(mp.dir) });
  s.skipFlush = false;
}

function runOp(m: Machine, dev: MtkEngineState, op: MtkEngineOp): number {
  switch (op.op) {
    case 'map': {
      const iova = dmaMapSingle(m, dev, op.pa, op.len, op.dir);
      if (iova !== DMA_MAPPING_ERROR) dev.mappings[op.as] = { iova, pa: op.pa, size: op.len, dir: op.dir };
      return 1;
    }
    case 'alloc': {
      const buf = iommuDmaAllocPages(m, dev, op.as, op.len);
      if (buf) dev.mappings[op.as] = { iova: buf.dma, pa: buf.pages[0].pfn * 4096, size: op.len, dir: 'bidirectional' };
      return 1;
    }
    case 'unmap': {
      const mp = dev.mappings[op.map];
      if (mp) dmaUnmapSingle(m, dev, mp.iova, mp.size, mp.dir);
      delete dev.mappings[op.map];
      return 1;
    }
    case 'read': {
      const mp = dev.mappings[op.map];
      if (mp) readOp(m, dev, mp.iova + op.offset, op.len);
      return 1;
    }
    case 'write': {
      const mp = dev.mappings[op.map];
      if (mp) deviceWrite(m, dev, mp.iova + op.offset, patternBytes(op.len, op.pattern));
      return 1;
    }
    case 'access':
      if (op.dir === 'read') readOp(m, dev, op.iova, op.len);
      else deviceWrite(m, dev, op.iova, patternBytes(op.len, op.pattern));
      return 1;
    case 'iommu-unmap': {
      const mp = dev.mappings[op.map];
      const dom = iommuDomainOf(m, dev.name);
      if (mp && dom) iommuUnmap(m, dom, { iova: mp.iova + op.offset, size: op.len });
      return 1;
    }
    case 'remap': {
      const mp = dev.mappings[op.map];
      if (mp) remap(m, dev, mp, op);
      return 1;
    }
    case 'larb-get':
      mtkSmiLarbGet(m, dev.larb);
      return 1;
    case 'larb-put':
      mtkSmiLarbPut(m, dev.larb);
      return 1;
    case 'delay':
      return op.ns;
  }
}

function engineStep(m: Machine, index: number): void {
  const dev = m.model(DEVICES).list[index] as MtkEngineState;
  const next = workloadNext(m, dev, dev.ops.length, runOp(m, dev, dev.ops[dev.pc]), 0);
  if (next === undefined) return;
  m.schedule(next, m.typeOf(STEP), index, 0, PRIO.device);
}
