/** Trace kinds of the Intel VT-d model (collected in src/sim/trace-kinds.ts). */
import { type TextCodec, hex, hex32, hex64Text, int, oneOf, str, text, word } from '../../trace/field.ts';
import { kind } from '../../trace/spec.ts';

/** 64-bit words of an entry, register or descriptor, low one first. */
export type Qwords = readonly bigint[];

const QWORDS: TextCodec<Qwords> = {
  text: (q) => q.map(hex64Text).join(' '),
  parse: (s) => (s === '' ? [] : s.split(' ').map((w) => BigInt(w))),
  shape: '"0x%016x 0x%016x …" (64-bit words, lowest first)',
  pattern: '^(0x[0-9a-f]{16})( 0x[0-9a-f]{16})*$',
};
const qwords = (doc: string) => text(doc, QWORDS);

/** Descriptor types of the invalidation queue (QI_*_TYPE), as the `qi` record names them. */
export const QI_DESC_NAMES = ['cc', 'iotlb', 'dev-iotlb', 'iec', 'wait', 'p-iotlb', 'pc', 'dev-p-iotlb'] as const;

export const VTD_KINDS = [
  kind('vtd-reg', 'A DMAR unit register access worth showing (boot programming, fault-register reads and clears).', {
    iommu: str('DMAR unit, e.g. "dmar0"'),
    op: oneOf(['write', 'read'], '"write" or "read"'),
    reg: str('register as the VT-d spec names it (GCMD_REG, RTADDR_REG, FSTS_REG, FRCD_REG(0)+12, ...)'),
    off: hex32('offset from the unit base'),
    val: word('value: 32-bit registers "0x%08x", 64-bit ones "0x%016x"'),
  }),
  kind('vtd-entry', 'The driver wrote a root, context, PASID-directory or PASID-table entry (the whole entry before and after).', {
    iommu: str('DMAR unit'),
    table: oneOf(['root', 'context', 'pasid-dir', 'pasid'], '"root", "context" (legacy 128-bit or scalable 256-bit), "pasid-dir" or "pasid" (512-bit)'),
    index: int('slot in its table (root: bus; context: devfn, scalable: devfn & 0x7f; pasid: PASID & 0x3f)'),
    addr: hex('physical address of the entry'),
    bdf: str('PCI function the entry serves, "bb:dd.f"').opt(),
    pasid: int('PASID of a PASID-table entry (0: RID2PASID)').opt(),
    old: qwords('the entry before'),
    new: qwords('the entry after'),
    by: str('kernel function that wrote it'),
  }),
  kind('vtd-domain', 'A DMA remapping domain was created, attached to a device, detached or freed.', {
    iommu: str('DMAR unit'),
    op: oneOf(['alloc', 'attach', 'detach', 'free'], '"alloc", "attach", "detach" or "free"'),
    domain: str('domain name, e.g. "vtd-dom0"'),
    did: int('domain id on the unit (0 until attached)'),
    gaw: int('guest address width in bits (domain->gaw)'),
    agaw: int('adjusted width index: agaw 1, 2, 3 walk 3, 4, 5 levels'),
    pgd: hex('PA of the top-level table'),
    dev: str('device attached or detached').opt(),
    bdf: str('its PCI function').opt(),
    mode: oneOf(['legacy', 'scalable'], 'context format of the unit: "legacy" or "scalable"').opt(),
  }),
  kind('qi', 'qi_submit_sync put a descriptor and its wait descriptor in the invalidation queue and moved the tail.', {
    iommu: str('DMAR unit'),
    slot: int('queue slot of the descriptor (the wait descriptor takes the next one)'),
    type: oneOf(QI_DESC_NAMES, 'descriptor type: "cc" (context cache, 0x1), "iotlb" (0x2), "dev-iotlb" (0x3), "iec" (0x4), "wait" (0x5), "p-iotlb" (PASID-based IOTLB, 0x6), "pc" (PASID cache, 0x7), "dev-p-iotlb" (0x8)'),
    desc: qwords('the descriptor: 128-bit (qw0 qw1) or 256-bit when ECAP.SMTS (qw0..qw3)'),
    wait: qwords('the wait descriptor that follows it (status write of QI_DONE)'),
    iqt: hex32('IQT_REG written: the new tail << (4 + SMTS)'),
    did: int('domain id the descriptor names').opt(),
    pasid: int('PASID it names').opt(),
    by: str('kernel function that built it'),
  }),
  kind(
    'dmar-fault',
    "The fault interrupt handler (dmar_fault -> dmar_fault_do_one) read and cleared one fault record: the driver's report of a fault the device's `dma` record already showed.",
    {
      iommu: str('DMAR unit'),
      index: int('fault recording register read'),
      reason: int('fault reason code (bits 7:0 of the record)'),
      reasonText: str("dmar.c's dma_remap_fault_reasons text ('Unknown' past the table)"),
      type: oneOf(['DMA Read', 'DMA Write'], 'T bit: "DMA Read" (1) or "DMA Write" (0)'),
      sid: str('source id as the kernel prints it, "bb:dd.f"'),
      addr: hex('faulting page address (bits 63:12 of the record)'),
      pasid: int('v5.4: the PASID the record carries, -1 when PP is clear (v5.0 does not read it)').opt(),
      fsts: hex32('FSTS_REG as the handler first read it'),
      frcd: qwords('the 128-bit fault record as read (low qword: address; high: SID, PASID, reason, T, F)'),
      dev: str('device whose access faulted (the simulator knows it; the kernel prints the source id)').opt(),
    },
    { stage: 'report' },
  ),
] as const;
