/** Trace record kinds of the mm model, SVA and the coherency checker. */
import { type TextCodec, bool, hex, hex32Text, hex64Text, hexText, hexU64, int, oneOf, parseHex, str, text } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

/** A translation as a cache (the device's ATC) or the CPU page table holds it. */
export interface PageTranslation {
  readonly pa: number;
  readonly write: boolean;
}

/** What the CPU page table says now: a translation, or the PTE word when there is none. */
export type CpuTranslation = (PageTranslation & { readonly present: true }) | { readonly present: false; readonly pte: number };

/** An IOMMU invalidation command as the driver built it: AMD u32 command words or VT-d u64 QI words. */
export type IommuCmd = { readonly name: string; readonly dw: readonly number[] } | { readonly name: string; readonly qw: readonly bigint[] };

/** One page of another process (ksm's merge partner). */
export interface MmPage {
  readonly mm: string;
  readonly va: number;
}

const translationText = (t: PageTranslation): string => `pa=${hexText(t.pa)} ${t.write ? 'rw' : 'ro'}`;
const TRANSLATION = /^pa=(0x[0-9a-f]+) (rw|ro)$/;
const parseTranslation = (s: string): PageTranslation => {
  const m = TRANSLATION.exec(s);
  return { pa: Number(parseHex(m?.[1] ?? '0x0')), write: m?.[2] === 'rw' };
};

const atcTranslation: TextCodec<PageTranslation> = {
  text: translationText,
  parse: parseTranslation,
  shape: '"pa=0x… rw" or "pa=0x… ro"',
  pattern: '^pa=0x[0-9a-f]+ (rw|ro)$',
};

const NONE = /^none \(pte (0x[0-9a-f]+)\)$/;
const cpuTranslation: TextCodec<CpuTranslation> = {
  text: (t) => (t.present ? translationText(t) : `none (pte ${hexText(t.pte)})`),
  parse: (s) => {
    const m = NONE.exec(s);
    return m ? { present: false, pte: Number(parseHex(m[1])) } : { present: true, ...parseTranslation(s) };
  },
  shape: '"pa=0x… rw|ro", or "none (pte 0x…)"',
  pattern: '^(pa=0x[0-9a-f]+ (rw|ro)|none \\(pte 0x[0-9a-f]+\\))$',
};

const iommuCmd: TextCodec<IommuCmd> = {
  text: (c) =>
    'dw' in c ? `${c.name} ${c.dw.map(hex32Text).join(' ')}` : `${c.name} ${c.qw.map((q, i) => `qw${i}=${hex64Text(q)}`).join(' ')}`,
  parse: (s) => {
    const [name, ...words] = s.split(' ');
    if (words[0]?.startsWith('qw')) return { name, qw: words.map((w) => BigInt(w.slice(w.indexOf('=') + 1))) };
    return { name, dw: words.map((w) => Number(parseHex(w))) };
  },
  shape: '"NAME 0x%08x …" (AMD command words) or "NAME qw0=0x%016x qw1=0x%016x" (VT-d QI)',
  pattern: '^\\S+( (0x[0-9a-f]{8}|qw\\d=0x[0-9a-f]{16}))+$',
};

const mmPage: TextCodec<MmPage> = {
  text: (p) => `${p.mm}:${hexText(p.va)}`,
  parse: (s) => {
    const i = s.lastIndexOf(':');
    return { mm: s.slice(0, i), va: Number(parseHex(s.slice(i + 1))) };
  },
  shape: '"mm:0x…"',
  pattern: '^.*:0x[0-9a-f]+$',
};

const pasidRange: TextCodec<{ readonly min: number; readonly max: number }> = {
  text: (r) => `[${r.min}, ${r.max}]`,
  parse: (s) => {
    const [min, max] = s.slice(1, -1).split(', ').map(Number);
    return { min, max };
  },
  shape: '"[min, max]"',
  pattern: '^\\[\\d+, \\d+\\]$',
};

export const MM_KINDS = [
  kind('mm', 'An address-space operation began (mmap, munmap, mprotect, mremap, fork, ksm, age, reclaim, exit_mmap, ...) or a subscriber registered.', {
    op: str('the operation (kernel function or syscall name)'),
    mm: str('process name'),
    start: hexU64('first virtual address of the range').opt(),
    end: hexU64('end of the range (exclusive; exit_mmap: ULONG_MAX)').opt(),
    prot: oneOf(['r', 'rw'], '"r" or "rw" (mmap, mprotect)').opt(),
    vma: str('mapping kind: "anon", "file", "device" or "driver" (a device file whose driver inserts pages: dev-mmap) (mmap)').opt(),
    shared: bool('MAP_SHARED (mmap)').opt(),
    newStart: hex('mremap: new start').opt(),
    newEnd: hex('mremap: new end').opt(),
    child: str('fork: the child process').opt(),
    with: text('ksm: the other page, "mm:va"', mmPage).opt(),
    subscriber: str('mmu_notifier_register: the subscriber').opt(),
    ops: str('mmu_notifier_register: the ops it implements, comma separated').opt(),
    error: int('notifier-failed: the error a start callback returned').opt(),
    blockable: bool('notifier-failed: whether the context was blockable').opt(),
    result: str('outcome where the operation can fail or branch (e.g. "move", "ENOMEM", "unstable-merge", "differ", "ESRCH")').opt(),
    reason: str('sigsegv / sigbus: why the fault failed').opt(),
  }),
  kind('cpu-pte', 'A CPU page-table entry changed (x86-64 PTE words: P=0x1, RW=0x2, U=0x4, A=0x20, D=0x40; a swap entry keeps its slot in the frame bits).', {
    mm: str('process name'),
    va: hex('virtual page'),
    old: hex('previous PTE word'),
    new: hex('new PTE word'),
    why: str('kernel function that wrote it (or "iommu-walk" for A/D bits set by the IOMMU)'),
  }),
  kind('notifier', 'One mmu notifier callback call, in the kernel order.', {
    mm: str('process name'),
    op: str('release, invalidate_range_start, invalidate_range, invalidate_range_end, clear_flush_young, clear_young, test_young or change_pte'),
    start: hex('range start (absent for release)').opt(),
    end: hex('range end, exclusive (absent for release)').opt(),
    blockable: bool('whether the callback may sleep (range->blockable; false under the page-table lock)'),
    caller: str('invalidate_range: who called it (ptep_clear_flush_notify, try_to_unmap_one, invalidate_range_end, tlb_flush_mmu_tlbonly); release: mmu_notifier_unregister when not from exit').opt(),
    pa: hex('change_pte: physical address of the new page').opt(),
    event: str("v5.4 only, invalidate_range_start/end: the range's mmu_notifier_event (MMU_NOTIFY_UNMAP, _CLEAR, _PROTECTION_VMA, _PROTECTION_PAGE)").opt(),
    subscriber: str('the subscriber called'),
  }),
  kind('atc-inval', 'An IOMMU driver flushed its IOTLB and the device IOTLB (ATS invalidation) for a PASID.', {
    dev: str('device name'),
    pasid: int('PASID'),
    start: hex('first address invalidated in the ATC ("all" for the whole PASID)').or('all'),
    end: hex('end, exclusive ("all")').or('all'),
    by: str('notifier op that caused it: invalidate_range, clear_flush_young, change_pte or release'),
    iommu: str('"amd-v2" or "intel-svm"'),
    iotlbCmd: text('IOMMU TLB command: AMD INVALIDATE_IOMMU_PAGES words, or VT-d QI type 0x6 qw0/qw1', iommuCmd),
    atcCmd: text('device TLB command: AMD INVALIDATE_IOTLB_PAGES words, or VT-d QI type 0x8 qw0/qw1 (S bit 11 = size-encoded range)', iommuCmd),
    dropped: int('ATC entries the invalidation removed'),
  }),
  kind('page-request', 'A device page request (AMD PPR / PCIe PRI) was serviced with handle_mm_fault and answered.', {
    dev: str('device name'),
    pasid: int('PASID'),
    va: hex('virtual page requested'),
    write: bool('write access requested'),
    iommu: str('"amd-v2" or "intel-svm"'),
    fault: str('what handle_mm_fault did (do_anonymous_page, do_swap_page, wp_page_copy, ...) or why it failed (no vma, access_error)'),
    response: oneOf(['success', 'invalid'], '"success" or "invalid" (the device then reports a fault)'),
    code: hex('response code: 0x0 PPR_SUCCESS / QI_RESP_SUCCESS, 0x1 PPR_INVALID / QI_RESP_INVALID'),
  }, { stage: 'report' }),
  kind('coherency-violation', 'Checker: a device used an ATC translation the CPU page table no longer has.', {
    dev: str('device name'),
    pasid: int('PASID'),
    va: hex('virtual page accessed'),
    write: bool('the access was a write'),
    stale: text('the translation the device used', atcTranslation),
    current: text('what the CPU page table says now', cpuTranslation),
    changedBy: int('seq of the cpu-pte record that changed the translation (-1 if unknown)'),
    filledBy: int('seq at which the ATC entry was filled'),
  }),
  kind('pasid', 'A PASID was allocated (bind) or freed (unbind / release).', {
    op: oneOf(['alloc', 'free'], '"alloc" or "free"'),
    pasid: int('the PASID (absent when allocation failed)').opt(),
    dev: str('device name'),
    mm: str('process name'),
    allocator: str('"native" (ioasid default) or "host" (a custom allocator: a guest asking its host)'),
    range: text("alloc: the allocator's range", pasidRange).opt(),
    result: oneOf(['ok', 'ENOSPC'], 'alloc: "ok" or "ENOSPC"').opt(),
  }),
  kind('reclaim', 'The aging or reclaim scan looked at one page through rmap.', {
    mm: str('process whose range was scanned'),
    va: hex('virtual page'),
    pa: hex('physical page'),
    young: bool('referenced: the CPU young bit or a notifier said young'),
    result: str('aged, activated (kept), reclaimed, busy (young at unmap), writeback (dirty file page), idle, tested'),
  }),
  kind('page-free', 'A user page went back to the allocator.', {
    pa: hex('physical page'),
    why: str('kernel function that dropped the last reference'),
  }),
] as const;
