/** Trace kinds of a VT-d guest's shared virtual addressing (collected in src/sim/trace-kinds.ts). */
import { hex, hex64, int, oneOf, str } from '../../trace/field.ts';
import { kind } from '../../trace/spec.ts';

export const VSVA_KINDS = [
  kind('vcmd', "A guest's virtual command (VT-d VCMD/VCRSP registers): the guest wrote the command, or the VMM answered it.", {
    kernel: str('the guest'),
    unit: str("the guest's vIOMMU unit"),
    cmd: oneOf(['alloc', 'free'], '"alloc" (VCMD_CMD_ALLOC) or "free" (VCMD_CMD_FREE)'),
    phase: oneOf(['submit', 'response'], '"submit": the guest wrote DMAR_VCMD_REG and polls; "response": the VMM set DMAR_VCRSP_REG'),
    vcmd: hex('the command word (free: PASID << 8 | 2)'),
    vcrsp: hex('response: the response word (result PASID << 8 | status << 1)').opt(),
    status: int('response: VCMD_VRSP_SC (0 success; 1 no PASID available (alloc) or invalid PASID (free); 2, 3 codes the driver does not know: "Unexpected error code")').opt(),
    pasid: int('the PASID allocated or freed').opt(),
    latency: int('submit: ns until the VMM answers').opt(),
  }),
  kind('cache-invalidate', "A guest's cache invalidation passed down to the host (iommu_cache_invalidate / iommu_uapi_cache_invalidate -> intel_iommu_sva_invalidate), decoded, and what the host did.", {
    guest: str('the guest'),
    dev: str('the assigned device'),
    version: int('info->version'),
    cache: str('the cache bits by name ("iotlb|dev-iotlb"), or the raw bits in hex when unknown ones are set'),
    granularity: str('"domain", "pasid", "addr", or the raw number'),
    flags: str('pasid_info/addr_info flags by name ("pasid|leaf")'),
    pasid: int('the PASID field'),
    addr: hex('ADDR: the first-stage address').opt(),
    granuleSize: int('ADDR: granule_size (bytes)').opt(),
    nbGranules: int('ADDR: nb_granules').opt(),
    order: int('ADDR: to_vtd_size, pages as 2^order').opt(),
    result: int('the return value: 0 or -errno (-EINVAL, -ERANGE)'),
    descs: int('QI descriptors the host submitted'),
    kernelGen: oneOf(['v5.8', 'v5.10'], 'which UAPI generation ran (the vsva-uapi row)'),
  }),
  kind('uapi-reject', 'The host refused (result < 0) or skipped (result 0, v5.8) part of a passed-down invalidation.', {
    guest: str('the guest'),
    dev: str('the assigned device'),
    check: oneOf(['iommu_check_cache_invl_data', 'version', 'inv_type_granu_table', 'alignment'], 'which check: the generic validity check (v5.10), the version, Intel\'s inv_type_granu_table, the ADDR alignment (-ERANGE)'),
    cache: str('the cache type the check stopped at').opt(),
    result: int('0 (logged and skipped, v5.8) or -errno'),
    why: str('what was wrong'),
  }),
  kind('gpasid-bind', "intel_svm_bind_gpasid: a guest's first-stage table bound to a PASID of its assigned device (a nested PASID entry over the host second stage).", {
    dev: str('the assigned device'),
    guest: str('the guest'),
    pasid: int('the PASID (guest and host alike)'),
    did: int("the host nesting domain's DID"),
    pml4Gpa: hex('first-stage root, guest physical'),
    pml4Hpa: hex('first-stage root, host physical'),
  }),
  kind('nested-desc', 'One QI descriptor a passed-down invalidation produced, and the host caches it dropped.', {
    dev: str('the assigned device'),
    fn: oneOf(['qi_flush_piotlb', 'qi_flush_dev_iotlb_pasid'], 'the dmar.c helper that built it'),
    qw0: hex64('descriptor word 0'),
    qw1: hex64('descriptor word 1'),
    start: hex('first address it covers (decoded)').opt(),
    end: hex('end of what it covers, exclusive (decoded)').opt(),
    pasid: int('the PASID it names'),
    dropped: int('IOTLB (qi_flush_piotlb) or device-TLB entries dropped'),
  }),
] as const;
