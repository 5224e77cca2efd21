/**
 * A generic bus-master DMA engine: its driver maps each buffer with dma_map_single, the
 * engine reads, writes or copies through its bus port, and the driver unmaps. Rounds
 * repeat with a seeded jitter, so two engines interleave differently per seed.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import type { Prng } from '../core/prng.ts';
import { checksum } from '../mem/phys.ts';
import { DMA_MAPPING_ERROR, type DmaDirection, dmaMapSingle, dmaUnmapSingle } from '../dma/api.ts';
import { type DeviceBase, DEVICES } from './device.ts';
import { deviceReadInto, deviceWrite } from './port.ts';
import { patternBytes, readScratch } from './scratch.ts';
import { workloadNext } from './workload.ts';
import { eventKey } from '../core/keys.ts';

export type EngineOp =
  | { op: 'write'; pa: number; len: number; pattern: number }
  | { op: 'read'; pa: number; len: number }
  | { op: 'copy'; src: number; dst: number; len: number }
  | { op: 'delay'; ns: number };

export interface DmaEngineState extends DeviceBase {
  kind: 'dma-engine';
  ops: EngineOp[];
  pc: number;
  round: number;
  repeat: number;
  periodNs: number;
  jitterNs: number;
  prng: Prng;
}

const STEP = eventKey('dma-engine.step');

export function dmaEngineRegister(m: Machine): void {
  m.on(STEP, engineStep);
}

/** Schedule the engine's first operation. */
export function dmaEngineStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(STEP), index, 0, PRIO.device);
}

function mapOrFail(m: Machine, dev: DeviceBase, pa: number, len: number, dir: DmaDirection): number {
  return dmaMapSingle(m, dev, pa, len, dir);
}

function engineStep(m: Machine, index: number): void {
  const dev = m.model(DEVICES).list[index] as DmaEngineState;
  const op = dev.ops[dev.pc];
  let delay = 0;
  switch (op.op) {
    case 'write': {
      const dma = mapOrFail(m, dev, op.pa, op.len, 'from-device');
      if (dma !== DMA_MAPPING_ERROR) {
        deviceWrite(m, dev, dma, patternBytes(op.len, op.pattern));
        dmaUnmapSingle(m, dev, dma, op.len, 'from-device');
      }
      break;
    }
    case 'read': {
      const dma = mapOrFail(m, dev, op.pa, op.len, 'to-device');
      if (dma !== DMA_MAPPING_ERROR) {
        // Only read: the bytes go nowhere, so none are copied.
        deviceReadInto(m, dev, dma, null, op.len);
        dmaUnmapSingle(m, dev, dma, op.len, 'to-device');
      }
      break;
    }
    case 'copy': {
      const src = mapOrFail(m, dev, op.src, op.len, 'to-device');
      const dst = src === DMA_MAPPING_ERROR ? DMA_MAPPING_ERROR : mapOrFail(m, dev, op.dst, op.len, 'from-device');
      if (dst !== DMA_MAPPING_ERROR) {
        const data = readScratch(op.len);
        deviceReadInto(m, dev, src, data, op.len);
        deviceWrite(m, dev, dst, data);
        dmaUnmapSingle(m, dev, dst, op.len, 'from-device');
        if (m.quiet['dev-op']) m.skip();
        else m.emit('dev-op', { dev: dev.name, op: 'copy', src: op.src, dst: op.dst, len: op.len, sum: checksum(m.state.mem, op.dst, op.len) });
      }
      if (src !== DMA_MAPPING_ERROR) dmaUnmapSingle(m, dev, src, op.len, 'to-device');
      break;
    }
    case 'delay':
      delay = op.ns;
      break;
  }
  // Back-to-back operations still advance virtual time by 1 ns.
  const next = workloadNext(m, dev, dev.ops.length, delay, 1);
  if (next === undefined) return;
  m.schedule(next, m.typeOf(STEP), index, 0, PRIO.device);
}
