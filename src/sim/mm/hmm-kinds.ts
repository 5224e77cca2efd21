/** Trace kinds of HMM mirrors, device page tables, get_user_pages and the RFC's p2p VMAs. */
import { type TextCodec, bool, hex, hexText, int, oneOf, parseHex, str, text } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

/** A device page-table entry as a record shows it. */
export type DevPteText = { readonly present: false } | { readonly present: true; readonly addr: number; readonly write: boolean; readonly p2p: boolean };

const DEV_PTE = /^(pa|bus)=(0x[0-9a-f]+) (rw|ro)$/;
const devPte: TextCodec<DevPteText> = {
  text: (e) => (e.present ? `${e.p2p ? 'bus' : 'pa'}=${hexText(e.addr)} ${e.write ? 'rw' : 'ro'}` : 'none'),
  parse: (s) => {
    const m = DEV_PTE.exec(s);
    return m ? { present: true, addr: Number(parseHex(m[2])), write: m[3] === 'rw', p2p: m[1] === 'bus' } : { present: false };
  },
  shape: '"none", "pa=0x… rw|ro" (a CPU page) or "bus=0x… rw|ro" (a peer\'s bus address, RFC p2p_map)',
  pattern: '^(none|(pa|bus)=0x[0-9a-f]+ (rw|ro))$',
};

export const HMM_KINDS = [
  kind('hmm', 'An HMM mirror or range call: register, unregister, range done / valid, release.', {
    op: str('kernel function (hmm_mirror_register, hmm_mirror_unregister, hmm_range_register, hmm_range_unregister, hmm_vma_range_done, hmm_range_valid, hmm_release)'),
    mirror: str('the mirror (the device whose driver registered it)'),
    mm: str('process'),
    start: hex('range start').opt(),
    end: hex('range end (exclusive)').opt(),
    ret: int('return value (0, -EINVAL, -ENOMEM, ...)').opt(),
    valid: bool('range->valid as the call read or left it').opt(),
    result: str('what happened ("livelock: ...", "notifier leaked", "freed", ...)').opt(),
  }),
  kind('hmm-fault', 'hmm_vma_get_pfns / hmm_vma_fault (v5.0) or hmm_range_fault (v5.4): a snapshot of the CPU page table for a range, faulting pages in as asked.', {
    api: str('hmm_vma_get_pfns, hmm_vma_fault or hmm_range_fault'),
    mirror: str('the mirror whose range it is'),
    mm: str('process'),
    start: hex('range start'),
    end: hex('range end (exclusive)'),
    flags: str('v5.4 flags: "0", "HMM_FAULT_ALLOW_RETRY", "HMM_FAULT_SNAPSHOT"; v5.0: "block" or "snapshot"'),
    ret: int('v5.0: 0 or -errno; v5.4: pages valid from start, or -errno'),
    valid: bool('range->valid afterwards'),
    pfns: str('the pfn array in the driver\'s encoding, one u64 per page ("0x…" space-separated)'),
  }),
  kind('hmm-invalidate', "HMM's mmu notifier: invalidate_range_start / _end over the ranges being snapshotted.", {
    mm: str('process'),
    phase: oneOf(['start', 'end'], '"start" or "end"'),
    start: hex('start of the invalidated range'),
    end: hex('end (exclusive)'),
    blockable: bool('the notifier range is blockable'),
    ranges: int('ranges it marked invalid (start, and v5.0 end) or set valid again (v5.4 end)'),
    notifiers: int('v5.4: invalidations still in flight afterwards (hmm->notifiers)').opt(),
    ret: int('start: 0 or -EAGAIN').opt(),
  }),
  kind('hmm-sync', "A mirror's sync_cpu_device_pagetables: the driver clears its device page table for the range and returns only when the device can no longer use it.", {
    mirror: str('the mirror'),
    mm: str('process'),
    start: hex('range start'),
    end: hex('range end (exclusive)'),
    blockable: bool('update->blockable (v5.0) / mmu_notifier_range_blockable (v5.4)'),
    cleared: int('device page-table entries cleared'),
    ret: int('0, or -EAGAIN when it would have to sleep and may not'),
  }),
  kind('dev-pte', 'A device page-table entry changed (an HMM mirror committing a snapshot, or sync_cpu_device_pagetables clearing it).', {
    dev: str('device'),
    va: hex('virtual page'),
    old: text('the entry before', devPte),
    new: text('the entry after', devPte),
    why: str('who wrote it (commit, sync_cpu_device_pagetables, release, p2p_unmap)'),
  }),
  kind('gup', 'get_user_pages on a user buffer (O_DIRECT pins the pages it will DMA to).', {
    mm: str('process'),
    start: hex('first address'),
    nr: int('pages asked for'),
    write: bool('FOLL_WRITE'),
    pinned: int('pages pinned'),
    ret: int('pages pinned, or -errno when none'),
    reason: str('why it stopped: "VM_IO|VM_PFNMAP (check_vma_flags)", "no vma", a failed fault').opt(),
    pages: str('what the pages are: "ram", "p2pmem" (ZONE_DEVICE pages of a BAR) or "ram,p2pmem"').opt(),
  }),
  kind('dio', 'A read with O_DIRECT: the block driver DMAs straight into the user buffer.', {
    dev: str('the block device'),
    mm: str('process'),
    va: hex('user buffer'),
    len: int('bytes'),
    ret: int('bytes read, or -errno'),
    map: str('how the driver mapped the pages: "dma_map_sg", "pci_p2pdma_map_sg", or the RFC importer path').opt(),
  }),
  kind('vma-p2p', "The RFC's vm_operations_struct p2p_map / p2p_unmap: the exporter of a device-file VMA maps its range for an importer device.", {
    op: oneOf(['p2p_map', 'p2p_unmap'], '"p2p_map" or "p2p_unmap"'),
    exporter: str('the device owning the VMA'),
    importer: str('the device that will DMA'),
    mm: str('process'),
    start: hex('first address'),
    end: hex('end (exclusive)'),
    dma: hex('p2p_map: the bus address of start for the importer').opt(),
    ret: int('0 or -errno'),
  }),
] as const;
