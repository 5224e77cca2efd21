/**
 * dma-debug (kernel/dma/debug.c, CONFIG_DMA_API_DEBUG; the dma-api-debug row, on here):
 * check_unmap and check_sync against the live mappings, with err_printk's messages
 * ("DMA-API: %s %s: " + the check's format, same text in v5.0.1 and v5.4.1), and dmadbg's
 * own device-access-after-unmap check. A bus-master on dma-direct with a buffer fixed at
 * 0x40010000 (dma address = physical address).
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/load.ts';
import { buildMachine } from '../../../src/scenario/build/index.ts';
import { Machine } from '../../../src/sim/machine.ts';
import { provideDirectTranslator } from '../../../src/sim/devices/port.ts';
import { provideDmaDirect } from '../../../src/sim/dma/direct.ts';
import { DEVICES, type DeviceBase } from '../../../src/sim/devices/device.ts';
import { dmaMapSingle, dmaSyncSingleForCpu, dmaUnmapSingle } from '../../../src/sim/dma/api.ts';
import { drain } from './pool.ts';
import { expectGolden, runLines } from '../../helpers/scenario.ts';

type Rec = Record<string, unknown>;

function run(ops: unknown[], debug = 'on'): Rec[] {
  const sc = {
    version: 1,
    name: 't',
    description: 't',
    overrides: { 'dma-api-debug': debug },
    memory: { dram: [{ base: '0x40000000', size: '0x10000000' }], buffers: [{ name: 'b', size: '64K', addr: '0x40010000' }] },
    devices: [{ kind: 'bus-master', name: 'nic0', dmaMask: 64, ops }],
  };
  const r = parseScenarioText(JSON.stringify(sc), 't.json');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const m = buildMachine(r.scenario).machine;
  while (m.step());
  const out: Rec[] = [];
  for (let i = 0; i < m.trace.count; i++) out.push(JSON.parse(m.trace.line(i)) as Rec);
  return out;
}

const findings = (recs: Rec[]) => recs.filter((r) => r.kind === 'dma-debug');

describe('dma-debug', () => {
  it('an unmap with the wrong size: check_unmap "frees DMA memory with different size"', () => {
    const recs = run([
      { op: 'map', handle: 'h', buf: 'b', len: '8K', dir: 'to-device' },
      { op: 'unmap', handle: 'h', len: '4K' },
    ]);
    const [f] = findings(recs);
    expect(f).toMatchObject({ dev: 'nic0', check: 'unmap-size', iova: '0x40010000', size: 4096 });
    // "device driver frees DMA memory with different size [device address=0x%016llx]
    //  [map size=%llu bytes] [unmap size=%llu bytes]"; the device prefix is "<driver> <name>: ".
    expect(f.text).toBe('DMA-API: bus-master nic0: device driver frees DMA memory with different size [device address=0x0000000040010000] [map size=8192 bytes] [unmap size=4096 bytes]');
    // err_printk prints it (WARN's message) into the kernel log too.
    expect(recs.find((r) => r.kind === 'klog' && r.text === f.text)).toMatchObject({ level: 'warning' });
    expect(findings(recs)).toHaveLength(1);
  });

  it('a device read of a buffer after its unmap is flagged (a dmadbg check; dma-debug has no device hook)', () => {
    const recs = run([
      { op: 'map', handle: 'h', buf: 'b', len: '8K', dir: 'from-device' },
      { op: 'unmap', handle: 'h' },
      { op: 'access', addr: '0x40011000', len: 64, dir: 'read' },
    ]);
    const [f] = findings(recs);
    expect(f).toMatchObject({ dev: 'nic0', check: 'access-after-unmap', iova: '0x40011000', size: 64 });
    expect(String(f.text)).toMatch(/^dmadbg \(not a kernel check\): nic0 accessed \[device address=0x0000000040011000\] \[size=64 bytes\] after its driver unmapped it \(dma_map_single, mapped at record \d+\)$/);
    // The finding follows the access it judges.
    expect(recs[recs.indexOf(f) - 1]).toMatchObject({ kind: 'dma', addr: '0x40011000' });
  });

  it('a new mapping over the same buffer ends the after-unmap window', () => {
    const recs = run([
      { op: 'map', handle: 'h', buf: 'b', len: '8K', dir: 'from-device' },
      { op: 'unmap', handle: 'h' },
      { op: 'map', handle: 'g', buf: 'b', len: '8K', dir: 'from-device' },
      { op: 'access', addr: '0x40011000', len: 64, dir: 'read' },
    ]);
    expect(findings(recs)).toEqual([]);
  });

  it('a sync in the mapping\'s own direction and a matching unmap are not reported', () => {
    const recs = run([
      { op: 'map', handle: 'h', buf: 'b', len: '8K', dir: 'to-device' },
      { op: 'sync-for-device', handle: 'h' },
      { op: 'unmap', handle: 'h' },
    ]);
    expect(findings(recs)).toEqual([]);
  });

  it('through the API: a sync in another direction (check_sync) and an unmap of what was never mapped', () => {
    const m = new Machine({ scenario: 't', seed: 1, kernel: 'v5.4', overrides: { 'dma-api-debug': 'on' }, dram: [{ base: 0x4000_0000, size: 0x1000_0000 }] });
    provideDirectTranslator(m);
    provideDmaDirect(m);
    const d: DeviceBase = { name: 'd', kind: 'test', dmaMaskBits: 64, dmaOps: 'dma-direct', translator: 'direct', maxSegmentSize: 0 };
    m.addModel(DEVICES, { list: [d] });
    const dma = dmaMapSingle(m, d, 0x4002_0000, 4096, 'to-device');
    dmaSyncSingleForCpu(m, d, dma, 4096, 'from-device');
    dmaUnmapSingle(m, d, 0x4003_0000, 4096, 'to-device');
    const texts = drain(m).filter((r) => r.kind === 'dma-debug').map((r) => r.text);
    expect(texts).toEqual([
      // "device driver syncs DMA memory with different direction [device address=0x%016llx]
      //  [size=%llu bytes] [mapped with %s] [synced with %s]" (dir2name[])
      'DMA-API: test d: device driver syncs DMA memory with different direction [device address=0x0000000040020000] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [synced with DMA_FROM_DEVICE]',
      // "device driver tries to free DMA memory it has not allocated [device address=0x%016llx] [size=%llu bytes]"
      'DMA-API: test d: device driver tries to free DMA memory it has not allocated [device address=0x0000000040030000] [size=4096 bytes]',
    ]);
  });

  it('off (the kernels as built): nothing is checked, the trace has no dma-debug record', () => {
    const recs = run(
      [
        { op: 'map', handle: 'h', buf: 'b', len: '8K', dir: 'to-device' },
        { op: 'unmap', handle: 'h', len: '4K' },
      ],
      'off',
    );
    expect(findings(recs)).toEqual([]);
  });

  it('the dma-debug-unmap scenario: both findings, pinned by its golden', () => {
    const lines = runLines('dma-debug-unmap');
    const checks = lines.map((l) => JSON.parse(l) as Rec).filter((r) => r.kind === 'dma-debug').map((r) => r.check);
    expect(checks).toEqual(['unmap-size', 'access-after-unmap']);
    expectGolden('dma-debug-unmap.seed-1.jsonl', lines);
  });
});
