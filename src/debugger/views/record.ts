/**
 * What the record view says about a trace record beyond its text: the kind's summary, and
 * per field the value in the other radix (hex for numbers, decimal for hex, KiB for sizes)
 * and its meaning: the field's documentation (docs/trace.md comes from the same table),
 * decoded register bits where the kernel defines them.
 */
import { type TraceRecord, kindSpec } from '../../sim/trace-kinds.ts';

export interface FieldNote {
  /** The value another way: 0x40 for 64, 2130706432 for 0x7f000000, "4 KiB". */
  readonly alt?: string;
  /** What the field is, and what this value of it means when it is a register. */
  readonly meaning?: string;
}

export function kindSummary(kind: string): string | undefined {
  return kindSpec(kind)?.summary;
}

/** Byte counts: shown in KiB / MiB too. */
const SIZE_FIELDS = new Set(['size', 'len', 'bytes', 'largestBytes', 'maxMappingSize', 'alloc']);

function sizeText(n: number): string | undefined {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return undefined;
}


/**
 * MediaTek FAULT_ST1 / INT_MAIN_CONTROL bits, mmu0 at bit n and mmu1 at bit n + 7
 * (drivers/iommu/mtk_iommu.c, v5.4: F_INT_TRANSLATION_FAULT .. F_INT_PRETETCH_TRANSATION_FIFO_FAULT).
 */
const MTK_FAULT_BITS = ['translation fault', 'main TLB multi-hit', 'invalid PA', 'entry replacement', 'TLB miss', 'miss-transaction FIFO', 'prefetch-transaction FIFO'];

function mtkSt1(st1: number): string {
  const out: string[] = [];
  for (let bit = 0; bit < 14; bit++) if (st1 & (1 << bit)) out.push(`mmu${bit < 7 ? 0 : 1} ${MTK_FAULT_BITS[bit % 7]} (bit ${bit})`);
  return out.length ? out.join(', ') : 'no fault bit set';
}

/** MMUn_INT_ID: HW larb in bits [9:7], port in bits [6:2] (mtk_iommu_isr, F_MMU0_INT_ID_LARB_ID / PORT_ID). */
function mtkIntId(id: number): string {
  return `HW larb ${(id >> 7) & 0x7}, port ${(id >> 2) & 0x1f}`;
}

/** The field's value in the other radix (and in KiB/MiB for sizes), its doc and decoding. */
export function fieldNote(r: TraceRecord, name: string): FieldNote {
  const kind = r.kind;
  const f = kindSpec(kind)?.fields[name];
  const doc = f?.doc;
  const value = (r as unknown as Record<string, unknown>)[name];
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
  let alt: string | undefined;
  if (n !== undefined && f && f.format !== 'fnv32') {
    const size = SIZE_FIELDS.has(name) ? sizeText(n) : undefined;
    // Hex fields are shown in hex: the other radix is decimal; plain numbers get hex.
    if (f.format === 'hex' || f.format === 'hex32') alt = String(n);
    else alt = n >= 10 ? `0x${n.toString(16)}` : undefined;
    if (size) alt = alt ? `${alt}, ${size}` : size;
  }
  let decoded: string | undefined;
  if (kind === 'fault' && n !== undefined && name === 'st1') decoded = mtkSt1(n);
  if (kind === 'fault' && n !== undefined && name === 'intId') decoded = mtkIntId(n);
  const meaning = [doc, decoded].filter(Boolean).join(': ') || undefined;
  return { ...(alt !== undefined ? { alt } : {}), ...(meaning !== undefined ? { meaning } : {}) };
}
