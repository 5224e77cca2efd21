/**
 * The kernel's lines, in its wording per version (pr_fmt "DMAR: " in intel-iommu.c, dmar.c
 * and intel-pasid.c):
 * - intel_iommu_setup: "Disable batched IOTLB flush" (strict), "Forcing DAC for PCI devices",
 *   "IOMMU enabled" (on), "Intel-IOMMU: scalable mode supported" (sm_on, v5.0.1 / v5.4.1 only);
 * - dmar_parse_dev / dmar_table_print_dmar_entry: "Host address width %d", "DRHD base: %#016Lx flags: %#x";
 * - alloc_iommu: "%s: reg_base_addr %llx ver %d:%d cap %llx ecap %llx";
 * - intel_iommu_init / init_dmars / intel_iommu_init_qi: "No RMRR found", "No ATSR found",
 *   "%s: Using Queued invalidation", "Setting RMRR:" (v5.0.1; gone in v5.4.1),
 *   "Intel(R) Virtualization Technology for Directed I/O";
 * - intel_alloc_iova: v5.0.1 pr_err("Allocating %ld-page iova for %s failed", …, dev_name),
 *   v5.4.1 dev_err(dev, "Allocating %ld-page iova failed", …);
 * - __intel_map_page / __intel_map_single: v5.0.1 pr_err("Device %s request: %zx@%llx dir %d --- failed"),
 *   v5.4.1 dev_err(dev, "Device request: %zx@%llx dir %d --- failed") — size is nrpages by then.
 */
import { describe, expect, it } from 'vitest';
import { runRecords } from '../../../helpers/scenario.ts';
import type { KernelVersion } from '../../../../src/sim/kernel.ts';

const lines = (name: string, kernel: KernelVersion, level?: string): string[] =>
  runRecords(name, { kernel }).filter((r) => r.kind === 'klog' && (!level || r.level === level)).map((r) => r.text as string);

describe('boot lines', () => {
  // CAP d2078c402f0406: ND 6, SAGAW 0b100 (4 levels), MGAW 47 (+1 = 48), FRO 0x40, SLLPS 3, PSI,
  // NFR 7, MAMV 18, DWD and DRD (bits 54, 55). ECAP 14998000050c2: QI, PT, SC, IRO 0x50, PSS 19,
  // PASID (40), SMTS (43), SLTS (46), SMPWC (48). VER 3:0 for a scalable-mode unit.
  it('v5.0: intel_iommu=on,sm_on on SMTS hardware', () => {
    expect(lines('vtd-pasid-did', 'v5.0', 'info')).toEqual([
      'DMAR: IOMMU enabled',
      'DMAR: Intel-IOMMU: scalable mode supported',
      'DMAR: Host address width 46',
      'DMAR: DRHD base: 0x000000fed90000 flags: 0x1',
      'DMAR: dmar0: reg_base_addr fed90000 ver 3:0 cap d2078c402f0406 ecap 14998000050c2',
      'DMAR: No RMRR found',
      'DMAR: No ATSR found',
      'DMAR: dmar0: Using Queued invalidation',
      'DMAR: Setting RMRR:',
      'DMAR: Intel(R) Virtualization Technology for Directed I/O',
    ]);
  });

  it('v5.0-rc3 knows sm_off, not sm_on (skipped without a word); v5.4 has no "Setting RMRR:"', () => {
    expect(lines('vtd-pasid-did', 'v5.0-rc3', 'info').slice(0, 2)).toEqual(['DMAR: IOMMU enabled', 'DMAR: Host address width 46']);
    expect(lines('vtd-pasid-did', 'v5.4', 'info')).not.toContain('DMAR: Setting RMRR:');
  });

});

describe('allocation failures', () => {
  it('v5.0.1 pr_err with dev_name, v5.4.1 dev_err with the driver and device', () => {
    expect(lines('vtd-iova-alloc', 'v5.0', 'err')).toEqual([
      'DMAR: Allocating 1048576-page iova for 0000:00:04.0 failed',
      'DMAR: Device 0000:00:04.0 request: c0000@40000000 dir 1 --- failed',
    ]);
    expect(lines('vtd-iova-alloc', 'v5.4', 'err')).toEqual([
      'legacy32 0000:00:04.0: DMAR: Allocating 1048576-page iova failed',
      'legacy32 0000:00:04.0: DMAR: Device request: c0000@40000000 dir 1 --- failed',
    ]);
  });
});
