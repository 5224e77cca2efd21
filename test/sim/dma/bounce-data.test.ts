// What reaches the device and what reaches the original buffer must follow the kernel's
// copy rules (swiotlb_tbl_map_single / _unmap_single / _sync_single, dma_direct_unmap_page
// in v5.0.1 and v5.4.1), or a user debugging stale data would be misled by the simulator.
// Each case fills the original with the CPU, lets the "device" read/write the bounce
// buffer through its port, and checks bytes on both sides after every step.
import { describe, expect, it } from 'vitest';
import { readBytes, writeBytes, fill } from '../../../src/sim/mem/phys.ts';
import { deviceRead, deviceWrite } from '../../../src/sim/devices/port.ts';
import { DMA_ATTR_SKIP_CPU_SYNC, DMA_MAPPING_ERROR, dmaMapSingle, dmaSyncSingleForCpu, dmaSyncSingleForDevice, dmaUnmapSingle } from '../../../src/sim/dma/api.ts';
import { dmaDirectOps } from '../../../src/sim/dma/direct.ts';
import { drain, poolMachine } from './pool.ts';

const ORIG = 0x1_0000_0000; // above a 32-bit mask: dma-direct must bounce
const same = (bytes: Uint8Array, v: number) => bytes.every((b) => b === v);

function setup(kernel: 'v5.0' | 'v5.4' = 'v5.4') {
  const t = poolMachine({ kernel });
  const dev = t.dev('nic', 32);
  const mem = t.m.state.mem;
  const cpu = (pa: number, len: number) => readBytes(mem, pa, len);
  const devRead = (dma: number, len: number) => deviceRead(t.m, dev, dma, len).data;
  const devWrite = (dma: number, len: number, v: number) => deviceWrite(t.m, dev, dma, new Uint8Array(len).fill(v));
  return { ...t, d: dev, mem, cpu, devRead, devWrite };
}

describe('bounce copies per direction', () => {
  it('TO_DEVICE: copied at map and at sync_for_device only; unmap copies nothing back', () => {
    const { m, d, mem, cpu, devRead, devWrite } = setup();
    fill(mem, ORIG, 4096, 0x11);
    const dma = dmaMapSingle(m, d, ORIG, 4096, 'to-device');
    expect(dma).not.toBe(ORIG);
    expect(same(devRead(dma, 4096), 0x11)).toBe(true); // copied at map
    fill(mem, ORIG, 4096, 0x22); // CPU writes after map: the device does not see it...
    expect(same(devRead(dma, 4096), 0x11)).toBe(true);
    dmaSyncSingleForCpu(m, d, dma, 4096, 'to-device'); // SYNC_FOR_CPU + TO_DEVICE: nothing
    expect(same(devRead(dma, 4096), 0x11)).toBe(true);
    dmaSyncSingleForDevice(m, d, dma, 4096, 'to-device'); // ...until sync_for_device
    expect(same(devRead(dma, 4096), 0x22)).toBe(true);
    devWrite(dma, 4096, 0x33); // a device writing a TO_DEVICE buffer: never copied back
    dmaUnmapSingle(m, d, dma, 4096, 'to-device');
    expect(same(cpu(ORIG, 4096), 0x22)).toBe(true);
    const copies = drain(m).filter((r) => Number(r.copied) > 0).map((r) => `${String(r.kind)}:${String(r.target ?? '')}`);
    expect(copies).toEqual(['swiotlb-map:', 'swiotlb-sync:device']);
  });

  it.each(['v5.0', 'v5.4'] as const)('FROM_DEVICE (%s): nothing at map; at sync_for_cpu; twice at unmap', (kernel) => {
    const { m, d, mem, cpu, devRead, devWrite } = setup(kernel);
    fill(mem, ORIG, 4096, 0x11);
    const dma = dmaMapSingle(m, d, ORIG, 4096, 'from-device');
    expect(same(devRead(dma, 4096), 0)).toBe(true); // the bounce slot was not filled
    devWrite(dma, 4096, 0x44);
    expect(same(cpu(ORIG, 4096), 0x11)).toBe(true); // stale until the CPU syncs
    dmaSyncSingleForDevice(m, d, dma, 4096, 'from-device'); // SYNC_FOR_DEVICE + FROM_DEVICE: nothing
    expect(same(cpu(ORIG, 4096), 0x11)).toBe(true);
    dmaSyncSingleForCpu(m, d, dma, 4096, 'from-device');
    expect(same(cpu(ORIG, 4096), 0x44)).toBe(true);
    devWrite(dma, 4096, 0x55);
    drain(m);
    dmaUnmapSingle(m, d, dma, 4096, 'from-device');
    expect(same(cpu(ORIG, 4096), 0x55)).toBe(true);
    // The v5.0/v5.4 double copy: sync_single_for_cpu, then unmap_single without SKIP_CPU_SYNC.
    const rec = drain(m).map((r) => `${String(r.kind)}:${String(r.copied ?? '-')}`);
    expect(rec).toEqual(['unmap:-', 'swiotlb-sync:4096', 'swiotlb-unmap:4096']);
  });

  it('BIDIRECTIONAL: copied at map, and back twice at unmap', () => {
    const { m, d, mem, cpu, devRead, devWrite } = setup();
    fill(mem, ORIG, 3000, 0x11);
    const dma = dmaMapSingle(m, d, ORIG, 3000, 'bidirectional');
    expect(same(devRead(dma, 3000), 0x11)).toBe(true);
    devWrite(dma, 3000, 0x66);
    drain(m);
    dmaUnmapSingle(m, d, dma, 3000, 'bidirectional');
    expect(same(cpu(ORIG, 3000), 0x66)).toBe(true);
    expect(drain(m).filter((r) => Number(r.copied) > 0).map((r) => r.kind)).toEqual(['swiotlb-sync', 'swiotlb-unmap']);
  });

  it('DMA_ATTR_SKIP_CPU_SYNC: unmap copies nothing back', () => {
    const { m, d, mem, cpu, devWrite } = setup();
    fill(mem, ORIG, 2048, 0x11);
    const dma = dmaMapSingle(m, d, ORIG, 2048, 'from-device');
    devWrite(dma, 2048, 0x77);
    dmaUnmapSingle(m, d, dma, 2048, 'from-device', DMA_ATTR_SKIP_CPU_SYNC);
    expect(same(cpu(ORIG, 2048), 0x11)).toBe(true);
  });

  it('sync at an offset uses the slot\'s orig plus the offset inside the 2 KiB slot', () => {
    const { m, d, mem, cpu, devWrite } = setup();
    const orig = ORIG + 100; // not slot aligned: the bounce buffer starts at a slot anyway
    fill(mem, ORIG, 8192, 0x11);
    const dma = dmaMapSingle(m, d, orig, 6000, 'from-device');
    expect((dma - 0x4000_0000) % 2048).toBe(0);
    devWrite(dma, 6000, 0x88);
    // Sync 100 bytes at dma + 2100: slot 1 (orig + 2048) + in-slot offset 52 = orig + 2100.
    dmaDirectOps.syncForCpu(m, d, dma + 2100, 100, 'from-device');
    expect(same(cpu(orig + 2100, 100), 0x88)).toBe(true);
    expect(same(cpu(orig, 2100), 0x11)).toBe(true);
    expect(same(cpu(orig + 2200, 3800), 0x11)).toBe(true);
  });

  it('no bounce for a reachable buffer unless forced; forced bounces everything', () => {
    const t = poolMachine();
    const d = t.dev('d', 32);
    expect(dmaMapSingle(t.m, d, 0x8000_0000, 4096, 'to-device')).toBe(0x8000_0000);
    const f = poolMachine({ force: true });
    const fd = f.dev('d', 64);
    writeBytes(f.m.state.mem, 0x8000_0000, Uint8Array.of(1, 2, 3));
    const dma = dmaMapSingle(f.m, fd, 0x8000_0000, 3, 'to-device');
    expect(dma).toBe(0x4000_0000);
    expect(Array.from(readBytes(f.m.state.mem, dma, 3))).toEqual([1, 2, 3]);
  });

  it('a bounce buffer the device cannot reach is unmapped again (SKIP_CPU_SYNC) and the map fails', () => {
    const { m, st, dev } = poolMachine({ start: 0x1_8000_0000 }); // pool above 4 GiB
    const d = dev('d', 32);
    fill(m.state.mem, ORIG, 4096, 0x11);
    expect(dmaMapSingle(m, d, ORIG, 4096, 'bidirectional')).toBe(DMA_MAPPING_ERROR);
    expect(st.used).toBe(0);
    const recs = drain(m);
    expect(recs.map((r) => r.kind)).toEqual(['swiotlb-map', 'swiotlb-unmap', 'klog', 'map']);
    expect(recs[1].copied).toBe(0); // SKIP_CPU_SYNC: nothing copied back
    // kernel/dma/direct.c report_addr: swiotlb_map left *dma_addr at the bounce slot (the
    // pool's first, 0x1_8000_0000), %pad prints it in 16 digits; the mask is 32 bits.
    expect(recs[2].text).toBe('test d: overflow 0x0000000180000000+4096 of DMA mask ffffffff bus mask 0');
    expect(recs[3].reason).toBe('bounce buffer beyond dma mask');
  });
});
