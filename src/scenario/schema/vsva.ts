/**
 * The `vsva` section: VT-d guests with shared virtual addressing (what-if, rows `ioasid` and
 * `vsva-uapi`): each guest's IOASID framework and vIOMMU units, devices assigned to guests
 * (VFIO's nesting domain on a DMAR unit of the vtd section: the guest's first-stage table
 * per PASID over the domain's second-level GPA -> HPA table), and a timeline of guest operations.
 */
import { z } from 'zod';
import { Addr, Duration, Name, Size } from './common.ts';
import { ADDR_FLAGS, CACHE_TYPES, GRANULARITIES } from '../../sim/iommu/intel/cache-inv-uapi.ts';

const At = Duration.describe('virtual time of the operation');
const Kernel = Name.describe('whose IOASID framework: "host" or a guest\'s name');

export const VsvaGuest = z
  .strictObject({
    name: Name,
    ram: z
      .strictObject({ hpa: Addr.describe('host physical address of guest physical 0 (inside memory.dram)'), size: Size.describe('bytes of guest RAM') })
      .describe('guest RAM: the VFIO container maps GPA [0, size) to HPA [hpa, hpa + size) (the host second stage)'),
    units: z.array(Name).min(1).default(['dmar0']).describe("the guest's vIOMMU units (ECAP.VCS and caching mode: each can register the virtual-command PASID allocator)"),
    vcmdLatency: Duration.default(2000).describe('ns the VMM takes to answer a virtual command (the guest polls DMAR_VCRSP_REG meanwhile)'),
  })
  .describe('a VM with a vIOMMU');

export const VsvaDevice = z
  .strictObject({
    name: Name,
    guest: Name.describe('the guest it is assigned to'),
    devid: z.number().int().min(0).max(0xffff).default(0x0200).describe('PCI requester id (bus << 8 | devfn), the descriptors\' SID and PFSID'),
    unit: Name.optional().describe('the host DMAR unit of the vtd section it sits behind (default the last, INCLUDE_PCI_ALL)'),
    ats: z.boolean().default(true).describe('ATS enabled: the device caches translations (device TLB) and IOTLB invalidations also flush it'),
    qdep: z.number().int().min(0).max(31).default(16).describe('ATS invalidate queue depth'),
    atcEntries: z.number().int().min(1).max(512).default(8).describe('device TLB entries'),
  })
  .describe('a PCI function assigned to a guest through VFIO');

const op = <T extends string, S extends z.core.$ZodLooseShape>(name: T, shape: S) => z.strictObject({ op: z.literal(name), at: At, ...shape });

export const VsvaOp = z.discriminatedUnion('op', [
  op('ioasid-alloc', { kernel: Kernel, min: z.number().int().min(0).default(1), max: z.number().int().min(0).default(0xfffff), set: Name.optional().describe('the ioasid_set tag (default NULL)'), vmmStatus: z.number().int().min(0).max(3).optional().describe('TEST ONLY: a guest command through the virtual-command allocator is answered with this VCMD_VRSP status instead (1: no PASID / invalid PASID, 2 and 3: "Unexpected error code")') })
    .describe('ioasid_alloc(set, min, max, NULL) in that kernel: the active allocator hands out the ID; in a guest with the virtual-command allocator this is a VCMD_CMD_ALLOC answered after vcmdLatency'),
  op('ioasid-free', { kernel: Kernel, pasid: z.number().int().min(0), vmmStatus: z.number().int().min(0).max(3).optional().describe('TEST ONLY: a guest command through the virtual-command allocator is answered with this VCMD_VRSP status instead (1: no PASID / invalid PASID, 2 and 3: "Unexpected error code")') }).describe('ioasid_free (ioasid_put with ioasid=refcounted: the ID goes only with its last reference): an ID the active allocator never handed out only logs'),
  op('ioasid-get', { kernel: Kernel, pasid: z.number().int().min(0) }).describe('ioasid_get (ioasid=refcounted only): one more reference, so a later free is deferred; an unknown ID is a WARN'),
  op('register-allocator', { guest: Name, unit: Name.optional().describe("the vIOMMU unit (default the guest's first)") })
    .describe("register_pasid_allocator: the unit's pasid_allocator ops (intel_vcmd_ioasid_alloc/free) go to ioasid_register_allocator; -EAGAIN while the guest's default allocator holds IDs (scalable mode is then disabled)"),
  op('unregister-allocator', { guest: Name, unit: Name.optional() }).describe('ioasid_unregister_allocator of that unit\'s ops: the next registered allocator, or the default, takes over'),
  op('bind-gpasid', { dev: Name, pasid: z.number().int().min(1).max(0xfffff).describe('the guest PASID (a host PASID, from the virtual command)') })
    .describe("intel_svm_bind_gpasid: the guest's first-stage table (a fresh PML4 in guest RAM) is bound to the device's PASID in a nested PASID entry over the host second stage"),
  op('guest-map', { dev: Name, va: Addr, gpa: Addr.describe('guest physical page'), write: z.boolean().default(true) })
    .describe("the guest kernel writes a first-stage PTE for `va` in the bound table (4-level, x86 format): a `pte` record at the word's host address"),
  op('guest-unmap', { dev: Name, va: Addr }).describe('the guest clears the first-stage PTE of `va` (the stale checker remembers the write)'),
  op('dma', { dev: Name, va: Addr, len: Size.default(64), dir: z.enum(['read', 'write']).default('read') })
    .describe('the device accesses `va` with the bound PASID: device TLB, then the DMAR unit: its IOTLB, else the nested walk (first-level words in guest RAM, each table pointer and the output translated through the second level)'),
  op('cache-invalidate', {
    dev: Name,
    argsz: z.number().int().min(0).max(0xffffffff).optional().describe('v5.10 only: info->argsz (default 56, the whole structure; below 16, or below what the granularity\'s union member needs, is -EINVAL)'),
    version: z.number().int().default(1).describe('info->version (1 is IOMMU_CACHE_INVALIDATE_INFO_VERSION_1)'),
    cache: z.array(z.enum(CACHE_TYPES)).default(['iotlb']).describe('cache types: "iotlb", "dev-iotlb", "pasid" (the PASID cache)'),
    granularity: z.union([z.enum(GRANULARITIES), z.number().int().min(0).max(255)]).default('addr').describe('"domain", "pasid", "addr" (or a raw number, to test the checks)'),
    flags: z.array(z.enum(ADDR_FLAGS)).default(['pasid']).describe('pasid_info/addr_info flags: "pasid", "archid", "leaf"'),
    pasid: z.number().int().min(0).max(0xfffff).default(0),
    addr: Addr.default(0).describe('ADDR: first-stage address'),
    granuleSize: Size.default(4096).describe('ADDR: bytes per granule'),
    nbGranules: z.number().int().min(1).max(0x100000).default(1).describe('ADDR: granules'),
    padding: z.number().int().min(0).max(0xffff).default(0).describe('TEST ONLY: the reserved padding bytes'),
    dropped: z.boolean().default(false).describe('TEST ONLY: the VMM never passes this invalidation down (the guest believes it flushed)'),
  }).describe("the guest's invalidation, trapped by the VMM and passed to iommu_cache_invalidate (v5.8) / iommu_uapi_cache_invalidate (v5.10): checked, then intel_iommu_sva_invalidate submits PASID-IOTLB and device-IOTLB descriptors"),
]);

export const VsvaSection = z
  .strictObject({
    guests: z.array(VsvaGuest).min(1),
    devices: z.array(VsvaDevice).default([]),
    ops: z.array(VsvaOp).default([]).describe('guest operations at their virtual times'),
  })
  .describe('VT-d guests with shared virtual addressing (a what-if: rows `ioasid` and `vsva-uapi` select it)');

export type VsvaSectionOut = z.output<typeof VsvaSection>;
export type VsvaOpOut = z.output<typeof VsvaOp>;
