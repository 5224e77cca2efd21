/**
 * The `vtd` section: Intel VT-d DMA remapping. The kernel command line's intel_iommu=
 * options, the DMAR units (register base, what their CAP/ECAP advertise, IOTLB size) and
 * the fault interrupt latency. Devices join by a `bdf` on the device; a unit's `scope`
 * names its devices, and the last unit without one takes the rest (INCLUDE_PCI_ALL).
 */
import { z } from 'zod';
import { Addr, Duration, Name } from './common.ts';

export const DmarUnit = z.strictObject({
  name: Name.optional().describe('unit name (default "dmar0", "dmar1", …)'),
  base: Addr.optional().describe('DRHD register base (default 0xfed90000, then + 0x1000 per unit)'),
  scope: z.array(Name).optional().describe('devices behind this unit; absent: every device no other unit lists (INCLUDE_PCI_ALL)'),
  iotlbEntries: z.number().int().min(1).max(1024).default(64).describe('IOTLB entries (tagged domain id, PASID, page; LRU replacement)'),
  levels: z
    .array(z.union([z.literal(3), z.literal(4), z.literal(5)]))
    .min(1)
    .default([4])
    .describe('second-level table depths the unit walks: CAP.SAGAW (3: 39-bit, 4: 48-bit, 5: 57-bit)'),
  mgaw: z.number().int().min(32).max(57).default(48).describe('CAP.MGAW: the widest input address; beyond it a request faults with reason 4'),
  zlr: z.boolean().default(false).describe('CAP.ZLR: zero-length reads, so write-only mappings need no read permission'),
  cachingMode: z.boolean().default(false).describe('CAP.CM (a virtual IOMMU): not-present to present changes need invalidations'),
  rwbf: z.boolean().default(false).describe('CAP.RWBF: the write buffer must be flushed after table updates'),
  faultRecords: z.number().int().min(1).max(256).default(8).describe('CAP.NFR + 1: fault recording registers'),
  faultOffset: z.number().int().min(0x100).max(0x3ff0).multipleOf(16).default(0x400).describe('CAP.FRO * 16: offset of the first fault recording register'),
  iotlbOffset: z.number().int().min(0x100).max(0x3ff0).multipleOf(16).default(0x500).describe('ECAP.IRO * 16: offset of IVA_REG (IOTLB_REG follows)'),
  psi: z.boolean().default(true).describe('CAP.PSI: page-selective invalidation (else every flush is domain-selective)'),
  mamv: z.number().int().min(0).max(63).default(18).describe('CAP.MAMV: the largest address mask a page-selective invalidation takes'),
  superpages: z.array(z.enum(['2M', '1G'])).default(['2M', '1G']).describe('CAP.SLLPS: superpage sizes'),
  ndoms: z.union([z.literal(16), z.literal(64), z.literal(256), z.literal(1024), z.literal(4096), z.literal(16384), z.literal(65536)]).default(65536).describe('CAP.ND: domain ids'),
  drain: z.boolean().default(true).describe('CAP.DWD and CAP.DRD: write and read draining'),
  coherent: z.boolean().default(false).describe('ECAP.C: page-walk coherency'),
  qi: z.boolean().default(true).describe('ECAP.QI: queued invalidation (else register-based)'),
  passThrough: z.boolean().default(true).describe('ECAP.PT'),
  snoopControl: z.boolean().default(true).describe('ECAP.SC'),
  smts: z.boolean().default(false).describe('ECAP.SMTS: scalable-mode translation (the invalidation queue then uses 256-bit descriptors)'),
  pasid: z.boolean().default(false).describe('ECAP.PASID'),
  pss: z.number().int().min(0).max(19).default(19).describe('ECAP.PSS: PASID width - 1'),
  slts: z.boolean().default(true).describe('ECAP.SLTS: second-level translation in scalable mode'),
  flts: z.boolean().default(false).describe('ECAP.FLTS: first-level translation'),
  nest: z.boolean().default(false).describe('ECAP.NEST: nested translation (a guest first level over this unit\'s second level; the vsva section needs it)'),
  smpwc: z.boolean().default(false).describe('ECAP.SMPWC: scalable-mode page-walk coherency (v5.0 then corrupts PASID-entry DIDs)'),
});

export const VtdSection = z.strictObject({
  cmdline: z
    .string()
    .regex(/^[A-Za-z0-9_,]*$/, { message: 'write the options after intel_iommu=, comma-separated, e.g. "on,sm_on,strict"' })
    .default('')
    .describe('the options after intel_iommu= on the kernel command line (strict, sm_on, sm_off on v5.0-rc3, forcedac, sp_off, off, …)'),
  haw: z.number().int().min(32).max(64).default(46).describe("the ACPI DMAR table's host address width (printed at boot)"),
  units: z.array(DmarUnit).min(1).max(8).default([DmarUnit.parse({})]).describe('DMAR units (DRHDs), in DMAR-table order'),
  irqLatency: Duration.default(100).describe('virtual time from a recorded fault to the fault interrupt handler'),
});
export type VtdSectionOut = z.output<typeof VtdSection>;
