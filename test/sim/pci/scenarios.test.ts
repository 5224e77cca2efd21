// Goal: the P2P scenarios show what their descriptions promise on each kernel, and their
// traces stay byte-identical (goldens per kernel where they differ). Every expected value
// is the kernel's: distances and map types from drivers/pci/p2pdma.c (see distance.test.ts
// for the derivations), the warning texts from upstream_bridge_distance_warn (v5.0.1 and
// v5.4.1 differ in their wording), %pR from lib/vsprintf.c resource_string.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectGolden, linesAfterRestore, loadScenario, runLines } from '../../helpers/scenario.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';

type R = Record<string, unknown>;
const recs = (ls: string[]): R[] => ls.map((l) => JSON.parse(l) as R);
const kinds = (rs: R[], kind: string) => rs.filter((r) => r.kind === kind);
const klog = (rs: R[]) => kinds(rs, 'klog').map((r) => r.text);

function run(name: string, kernel: KernelVersion, golden: string, overrides?: Record<string, string>): R[] {
  const ls = runLines(name, { kernel, overrides });
  expectGolden(golden, ls);
  return recs(ls);
}

describe('p2p-switch', () => {
  it('distance 4, BUS_ADDR: the NIC writes the CMB through the switch, its host buffer through the IOMMU', () => {
    for (const k of ['v5.0', 'v5.4'] as const) {
      const rs = run('p2p-switch', k, `p2p-switch.${k}.seed-1.jsonl`);
      expect(kinds(rs, 'p2p-distance')[0]).toMatchObject({ provider: '0000:03:00.0', clients: '0000:04:00.0', distance: 4 });
      const map = kinds(rs, 'p2p-map')[0];
      // Offset 0 (x86): the dma address is the CPU address of the CMB page, not an IOVA.
      expect(map).toMatchObject({ dev: 'mlx0', pa: '0xe1000000', dma: '0xe1000000', result: 'ok', ...(k === 'v5.4' ? { mapType: 'BUS_ADDR' } : {}) });
      const dmas = kinds(rs, 'dma');
      expect(dmas.filter((r) => r.pa === '0xe1000000' || r.pa === '0xe1001000').map((r) => r.via)).toEqual(['peer via 0000:01:00.0', 'peer via 0000:01:00.0']);
      // The host buffer goes through the VT-d unit: a first access misses its IOTLB and walks.
      expect(dmas.filter((r) => r.pa === '0x80000000').map((r) => [r.via, r.hit])).toEqual([['iommu', 'miss']]);
      // Only the host buffer was mapped in a VT-d domain: dma_map_sg (intel_map_sg), 2 pages
      // rounded to a power of two below 4 GiB first (intel_alloc_iova): IOVA 0xffffe000.
      expect(kinds(rs, 'map').filter((r) => r.domain !== undefined).map((r) => [r.api, r.iova, r.pa])).toEqual([['dma_map_sg', '0xffffe000', '0x80000000']]);
      // Lazy unmap: the flush queue's domain-selective flush 10 ms later drops the entry.
      expect(kinds(rs, 'iotlb-inval').filter((r) => r.gran === 'domain').map((r) => r.dropped)).toEqual([1]);
      expect(klog(rs)).toContain('nvme 0000:03:00.0: added peer-to-peer DMA memory [mem 0xe1000000-0xe1ffffff 64bit pref]');
      expect(klog(rs)).toContain('DMAR: Intel(R) Virtualization Technology for Directed I/O');
    }
  });

  it('replays to the same trace after a snapshot restore', () => {
    expect(linesAfterRestore('p2p-switch', 4)).toEqual(runLines('p2p-switch'));
  });
});

describe('p2p-acs-redirect', () => {
  const HINT = 'to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:02:00.0;0000:02:01.0';
  it('v5.0 refuses with -2 and the hint; nothing is allocated', () => {
    const rs = run('p2p-acs-redirect', 'v5.0', 'p2p-acs-redirect.v5.0.seed-1.jsonl');
    expect(kinds(rs, 'p2p-bridge')[0]).toMatchObject({ acs: '0000:02:00.0;0000:02:01.0', distance: -2 });
    expect(klog(rs)).toContain('mlx5_core 0000:04:00.0: cannot be used for peer-to-peer DMA as ACS redirect is set between the client and provider (0000:03:00.0)');
    expect(klog(rs)).toContain(`mlx5_core 0000:04:00.0: ${HINT}`);
    expect(kinds(rs, 'p2pmem').filter((r) => r.op === 'find').map((r) => r.result)).toEqual(['NULL', 'NULL']);
    expect(kinds(rs, 'p2p-map')).toEqual([]);
  });

  it('v5.4: THRU_HOST_BRIDGE through the IOMMU on the AMD Zen bridge, NOT_SUPPORTED on Zen 2 (0x1480)', () => {
    const rs = run('p2p-acs-redirect', 'v5.4', 'p2p-acs-redirect.v5.4.seed-1.jsonl');
    expect(klog(rs)).toContain('mlx5_core 0000:04:00.0: ACS redirect is set between the client and provider (0000:03:00.0)');
    expect(klog(rs)).toContain(`mlx5_core 0000:04:00.0: ${HINT}`);
    expect(klog(rs)).toContain('mlx5_core 0000:44:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:43:00.0) do not share an upstream bridge or whitelisted host bridge');
    const map = kinds(rs, 'p2p-map').find((r) => r.api === 'pci_p2pdma_map_sg_attrs')!;
    expect(map).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', pa: '0xe1000000', result: 'ok' });
    // dma_map_sg through the IOMMU: an IOVA below 4 GiB, outside the reserved bridge window.
    expect(map.dma).not.toBe('0xe1000000');
    const w = kinds(rs, 'dma').find((r) => r.dev === 'mlx0')!;
    expect([w.addr, w.pa, w.via, w.hit]).toEqual([map.dma, '0xe1000000', 'iommu', 'miss']);
    // Through the Zen bridge's own AMD IOMMU: amd_iommu_dma_ops map_sg, 16 pages, IW only for
    // FROM_DEVICE (dir2prot), each leaf pa | FC | IW | PR (iommu_map_page, amd_iommu.c).
    expect(kinds(rs, 'map').find((r) => r.api === 'dma_map_sg')).toMatchObject({ domain: 'dma-mlx0', iova: '0xffff0000', prot: 'W' });
    expect(kinds(rs, 'amd-pte').find((r) => r.iova === '0xffff0000' && r.by === 'iommu_map_page')!.new).toBe('0x50000000e1000001');
    expect(kinds(rs, 'amd-dev').map((r) => [r.dev, r.iommu])).toEqual([['mlx0', 'iommu0'], ['mlx1', 'iommu1']]);
    // amd_iommu_init runs from pci_iommu_init (rootfs_initcall), nvme's probe at device_initcall:
    // the AMD-Vi line and the attaches come before the driver adds its p2pmem.
    const at = (text: string) => rs.findIndex((r) => r.kind === 'klog' && r.text === text);
    expect(at('AMD-Vi: Lazy IO/TLB flushing enabled')).toBeLessThan(at('nvme 0000:03:00.0: added peer-to-peer DMA memory [mem 0xe1000000-0xe1ffffff 64bit pref]'));
    expect(rs.findIndex((r) => r.kind === 'amd-dev')).toBeLessThan(rs.findIndex((r) => r.kind === 'p2pmem'));
    expect(kinds(rs, 'p2pmem').filter((r) => r.op === 'find').map((r) => r.result)).toEqual(['ok', 'NULL']);
  });
});

describe('p2p-thru-host-bridge-vtd', () => {
  it('v5.4: THRU_HOST_BRIDGE on the Intel 0x2f00 bridge through dmar0: IOTLB miss then hit, an overrun faults, the strict unmap flushes one PSI range', () => {
    const rs = run('p2p-thru-host-bridge-vtd', 'v5.4', 'p2p-thru-host-bridge-vtd.v5.4.seed-1.jsonl');
    // pci_p2pdma_whitelist: 0x2f00 is REQ_SAME_HOST_BRIDGE, and both ends are under it.
    expect(kinds(rs, 'p2p-bridge')[0]).toMatchObject({ acs: '0000:02:00.0;0000:02:01.0', mapType: 'THRU_HOST_BRIDGE' });
    // intel_map_sg: 16 pages; intel_alloc_iova tries below 4 GiB first (no forcedac), top
    // down, size-aligned: 0xffff0000. Leaves pa | READ | WRITE: READ although FROM_DEVICE
    // because dmar0's CAP has no ZLR (bit 22 of 0xd2078c402f0406 is clear).
    expect(kinds(rs, 'map').find((r) => r.api === 'dma_map_sg')).toMatchObject({ dev: 'mlx0', iova: '0xffff0000', pa: '0xe1000000', size: 65536, prot: 'R|W' });
    expect(kinds(rs, 'pte').find((r) => r.iova === '0xffff0000')!.new).toBe('0x00000000e1000003');
    expect(kinds(rs, 'p2p-map')[0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', dma: '0xffff0000' });
    // Up to the root complex, through dmar0 (its IOTLB fills, then hits), down to the CMB.
    // The last is the write after the unmap: the IOTLB entry is gone (strict), the walk faults.
    const dmas = kinds(rs, 'dma').map((r) => [r.addr, r.pa, r.hit, r.result]);
    expect(dmas).toEqual([
      ['0xffff0000', '0xe1000000', 'miss', 'ok'],
      ['0xffff0400', '0xe1000400', 'hit', 'ok'],
      ['0x100000000', undefined, 'miss', 'fault'],
      ['0xffff0000', undefined, 'miss', 'fault'],
    ]);
    // No PTE for a write is fault reason 5; one interrupt reports both records (FRCD 0, 1)
    // with v5.4 dmar_fault_do_one's line.
    expect(kinds(rs, 'dmar-fault').map((r) => [r.index, r.reason, r.sid, r.addr, r.dev])).toEqual([
      [0, 5, '04:00.0', '0x100000000', 'mlx0'],
      [1, 5, '04:00.0', '0xffff0000', 'mlx0'],
    ]);
    expect(klog(rs)).toContain('DMAR: [DMA Write] Request device [04:00.0] PASID ffffffff fault addr 100000000 [fault reason 05] PTE Write access is not set');
    expect(kinds(rs, 'stale-tlb')).toEqual([]);
    // intel_iommu=strict: intel_unmap -> iommu_flush_iotlb_psi(did 1, 16 pages: am 4) ->
    // qi_flush_iotlb: qw0 DID<<16 | DR | DW (CAP bits 55, 54) | PSI gran | type 2 = 0x100f2;
    // qw1 the address | am (QI_IOTLB_ADDR masks the IH bit off, dmar.c).
    const qi = kinds(rs, 'qi').find((r) => r.by === 'intel_unmap')!;
    expect(qi.desc).toBe('0x00000000000100f2 0x00000000ffff0004');
    expect(kinds(rs, 'iotlb-inval').find((r) => r.gran === 'page')).toMatchObject({ did: 1, start: '0xffff0000', am: 4, dropped: 1 });
  });

  it('lazy unmap (intel_iommu=on): the write after the unmap hits the IOTLB entry the flush queue has not flushed yet', () => {
    const s = loadScenario('p2p-thru-host-bridge-vtd');
    const file = join(mkdtempSync(join(tmpdir(), 'dmadbg-p2p-')), 'lazy.json');
    writeFileSync(file, JSON.stringify({ ...s, vtd: { ...s.vtd, cmdline: 'on' } }));
    const rs = recs(runLines(file));
    // intel_unmap queues the IOVA (queue_iova): PTEs cleared, no flush until the 10 ms timer.
    expect(kinds(rs, 'qi').filter((r) => r.by === 'intel_unmap')).toEqual([]);
    const stale = kinds(rs, 'stale-tlb');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ iommu: 'dmar0', dev: 'mlx0', iova: '0xffff0000', cachedPa: '0xe1000000', pte: '0x0000000000000000' });
    // The stale entry still leads to the CMB page; the flush queue's DSI flush drops it later.
    expect(kinds(rs, 'dma').filter((r) => r.addr === '0xffff0000').map((r) => [r.hit, r.result])).toEqual([['miss', 'ok'], ['hit', 'ok']]);
    expect(kinds(rs, 'iotlb-inval').filter((r) => r.gran === 'domain').map((r) => r.dropped)).toEqual([1]);
  });

  it('boot log order with pci=disable_acs_redir=: intel_iommu= lines, then the enumeration, then intel_iommu_init, then the probes', () => {
    // intel_iommu_setup is an early_param (printed while the command line is parsed);
    // pci_enable_acs -> pci_disable_acs_redir runs as each function is added, in the PCI
    // enumeration (acpi_init, a subsys_initcall); intel_iommu_init is pci_iommu_init's
    // x86_init.iommu.iommu_init, a rootfs_initcall, and dmar_table_init prints "Host address
    // width" from there (no interrupt remapping to run it earlier); the drivers' probes are
    // device_initcalls. v5.4.1 drivers/pci/pci.c, drivers/iommu/intel-iommu.c, dmar.c.
    const s = loadScenario('p2p-thru-host-bridge-vtd');
    const file = join(mkdtempSync(join(tmpdir(), 'dmadbg-p2p-')), 'acs.json');
    writeFileSync(file, JSON.stringify({ ...s, pci: { ...s.pci, disableAcsRedir: '0000:02:00.0;0000:02:01.0' } }));
    const log = klog(recs(runLines(file))) as string[];
    const at = (text: string) => log.findIndex((l) => l.includes(text));
    const order = ['DMAR: Disable batched IOTLB flush', 'pcieport 0000:02:00.0: disabled ACS redirect', 'pcieport 0000:02:01.0: disabled ACS redirect', 'DMAR: Host address width 46', 'DMAR: No RMRR found', 'DMAR: Intel(R) Virtualization Technology for Directed I/O', 'added peer-to-peer DMA memory'];
    const positions = order.map(at);
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('replays to the same trace after a snapshot restore (VT-d unit state, IOTLB and fault records included)', () => {
    expect(linesAfterRestore('p2p-thru-host-bridge-vtd', 5)).toEqual(runLines('p2p-thru-host-bridge-vtd'));
  });

  it('v5.0 refuses the peer with -2: nothing reaches the VT-d unit', () => {
    const rs = run('p2p-thru-host-bridge-vtd', 'v5.0', 'p2p-thru-host-bridge-vtd.v5.0.seed-1.jsonl');
    expect(kinds(rs, 'p2p-bridge')[0]).toMatchObject({ distance: -2 });
    expect(kinds(rs, 'dma')).toEqual([]);
    expect(kinds(rs, 'map')).toEqual([]);
  });
});

describe('p2p-cross-root-port', () => {
  it('v5.0: -1, "do not share an upstream bridge"', () => {
    const rs = run('p2p-cross-root-port', 'v5.0', 'p2p-cross-root-port.v5.0.seed-1.jsonl');
    expect(kinds(rs, 'p2p-distance').filter((r) => r.verbose).map((r) => r.distance)).toEqual([-1, -1]);
    expect(klog(rs)).toContain('mlx5_core 0000:02:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:01:00.0) do not share an upstream bridge');
  });

  it('v5.4: through the host bridge under one whitelisted Intel bridge; refused across two (REQ_SAME_HOST_BRIDGE)', () => {
    const rs = run('p2p-cross-root-port', 'v5.4', 'p2p-cross-root-port.v5.4.seed-1.jsonl');
    // No common node: dist = len([nvme0, rp0]) + len([mlx0, rp1]) = 4.
    expect(kinds(rs, 'p2p-distance').filter((r) => r.verbose).map((r) => r.distance)).toEqual([4, -1]);
    expect(kinds(rs, 'p2p-map')[0]).toMatchObject({ mapType: 'THRU_HOST_BRIDGE', dma: '0xe1000000' }); // dma-direct: dma = phys
    expect(kinds(rs, 'dma').find((r) => r.dev === 'mlx0')!.via).toBe('root complex');
    expect(klog(rs)).toContain('mlx5_core 0000:81:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:01:00.0) do not share an upstream bridge or whitelisted host bridge');
  });
});

describe('p2p-vma-vs-struct-page', () => {
  it('O_DIRECT into struct-page p2pmem works through the switch; into a VM_PFNMAP mapping get_user_pages refuses', () => {
    for (const k of ['v5.0', 'v5.4'] as const) {
      const rs = run('p2p-vma-vs-struct-page', k, `p2p-vma-vs-struct-page.${k}.seed-1.jsonl`);
      const gup = kinds(rs, 'gup');
      expect(gup.map((r) => [r.ret, r.pages ?? r.reason])).toEqual([[4, 'p2pmem'], [-14, 'VM_IO|VM_PFNMAP (check_vma_flags)']]);
      expect(kinds(rs, 'dio').map((r) => r.ret)).toEqual([16384, -14]);
      expect(kinds(rs, 'dma').filter((r) => r.dev === 'nvme0' && r.result === 'ok').every((r) => String(r.via).startsWith('peer via'))).toBe(true);
      // The RFC's VMA on a real kernel: hmm_range_fault refuses a device VMA (v5.4 -EFAULT,
      // v5.0 VM_SPECIAL: -EINVAL with every pfn values[SPECIAL] = nouveau ~V).
      const f = kinds(rs, 'hmm-fault');
      expect(f.every((r) => r.ret === (k === 'v5.4' ? -14 : -22))).toBe(true);
      if (k === 'v5.0') expect(f[0].pfns).toBe('0xfffffffffffffffe');
      expect(kinds(rs, 'vma-p2p')).toEqual([]);
    }
  });

  it('with p2p-vma-rfc=present the importer gets HMM_PFN_P2P entries from p2p_map, and p2p_unmap when the exporter moves its BAR', () => {
    const rs = run('p2p-vma-vs-struct-page', 'v5.4', 'p2p-vma-vs-struct-page.rfc.v5.4.seed-1.jsonl', { 'p2p-vma-rfc': 'present' });
    const vp = kinds(rs, 'vma-p2p');
    expect(vp.map((r) => [r.op, r.dma])).toEqual([
      ['p2p_map', '0xe5800000'], ['p2p_map', '0xe5801000'], ['p2p_unmap', undefined], ['p2p_map', '0xe5c00000'], ['p2p_map', '0xe5c01000'],
    ]);
    // BAR 1 at 0xe4000000: offset 24M, then 28M after bar-move.
    const zap = rs.findIndex((r) => r.kind === 'mm' && r.op === 'zap_vma_ptes');
    const unmap = rs.findIndex((r) => r.kind === 'vma-p2p' && r.op === 'p2p_unmap');
    const sync = rs.findIndex((r) => r.kind === 'hmm-sync');
    expect(zap).toBeLessThan(sync);
    expect(sync).toBeLessThan(unmap);
    expect(kinds(rs, 'hmm-fault').every((r) => r.pfns === '0xfffffffffffffffc' && r.ret === 1)).toBe(true);
    expect(kinds(rs, 'dev-access').map((r) => r.iova)).toEqual(['0x7f0000200000', '0x7f0000201000', '0x7f0000200000', '0x7f0000201000']);
  });
});

describe('p2p-bus-offset', () => {
  it('the kernel\'s phys - bus_offset is an Unsupported Request; corrected, the switch routes the bus address to the CMB', () => {
    const k = run('p2p-bus-offset', 'v5.4', 'p2p-bus-offset.kernel.v5.4.seed-1.jsonl');
    const c = run('p2p-bus-offset', 'v5.4', 'p2p-bus-offset.corrected.v5.4.seed-1.jsonl', { 'p2pdma-bus-offset': 'corrected' });
    // BAR 2 at CPU 0x4000000000 = bus 0x40000000: bus_offset = 0x40000000 - 0x4000000000.
    expect(kinds(k, 'p2p-map')[0].dma).toBe('0x7fc0000000');
    expect(kinds(k, 'dma')[0]).toMatchObject({ result: 'fault', fault: 'unsupported request' });
    expect(kinds(k, 'dev-access')).toEqual([]);
    expect(kinds(c, 'p2p-map')[0].dma).toBe('0x40000000');
    expect(kinds(c, 'dma')[0]).toMatchObject({ result: 'ok', pa: '0x4000000000', via: 'peer via 0000:01:00.0' });
  });
});
