// `run --dmesg` (the kernel's log as dmesg prints it) and `run --json --stacks`.
import { describe, expect, it } from 'vitest';
import { dmadbg } from '../helpers/cli.ts';
import { runLines } from '../helpers/scenario.ts';

describe('dmadbg run --dmesg', () => {
  it('prints the klog lines with printk timestamps from virtual time', () => {
    // swiotlb-virtio-blk-bug (v5.0): the 512 KiB request at t=21002 ns finds no room.
    // kernel/printk/printk.c print_time "[%5lu.%06lu] ": 21002 ns = 0 s and 21 us.
    // kernel/dma/swiotlb.c v5.0.1 swiotlb_tbl_map_single: "swiotlb buffer is full (sz: %zd bytes)";
    // kernel/dma/direct.c report_addr: "overflow %pad+%zu of DMA mask %llx bus mask %llx".
    const r = dmadbg(['run', 'swiotlb-virtio-blk-bug', '--dmesg']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      '[    0.000021] virtio-blk vda: swiotlb buffer is full (sz: 524288 bytes)',
      '[    0.000021] virtio-blk vda: overflow 0x0000000040001000+524288 of DMA mask ffffffffffffffff bus mask 0',
    ]);
  });

  it('--filter narrows it; with --json it is refused in one line', () => {
    const r = dmadbg(['run', 'swiotlb-virtio-blk-bug', '--dmesg', '--filter', 'klog level=err']);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const bad = dmadbg(['run', 'swiotlb-virtio-blk-bug', '--dmesg', '--json']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('dmadbg run --json --stacks', () => {
  it('adds "stack" to records emitted inside kernel functions; the rest of each line is unchanged', () => {
    const plain = runLines('dma-mask-bounce');
    const r = dmadbg(['run', 'dma-mask-bounce', '--json', '--stacks']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(plain.length);
    lines.forEach((l, i) => expect(l.replace(/,"stack":\[[^\]]*\]\}$/, '}')).toBe(plain[i]));
    // The bounce of a 32-bit device's buffer above 4 GiB: dma_direct_map_page (kernel/dma/
    // direct.c) -> swiotlb_map -> swiotlb_tbl_map_single (kernel/dma/swiotlb.c, v5.4.1).
    const bounce = JSON.parse(lines.find((l) => l.includes('"kind":"swiotlb-map"'))!);
    expect(bounce.stack).toEqual(['swiotlb_tbl_map_single', 'swiotlb_map', 'dma_direct_map_page']);
    // A device's access is the hardware's: no stack field.
    expect(JSON.parse(lines.find((l) => l.includes('"kind":"dma"'))!).stack).toBeUndefined();
    // Off by default.
    expect(dmadbg(['run', 'dma-mask-bounce', '--json']).stdout).not.toContain('"stack"');
  });
});
