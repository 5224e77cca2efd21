/**
 * View slices for the Log, Registers and Mappings panels: the kernel log up to the current
 * position (scanned incrementally per session), the M4U and DMAR registers with what changed since
 * the previous stop, and the live DMA API mappings.
 */
import type { Session } from '../session.ts';
import { kindOfLine } from '../recording.ts';
import { dmesgLine } from '../dmesg.ts';
import { registerBlocksOf, type RegRow } from '../inspect/registers.ts';
import { type MappingRow, mappingRows } from '../inspect/mappings.ts';
import { DMA_DEBUG_MODEL } from '../../sim/dma/debug.ts';

export interface LogLineView {
  readonly seq: number;
  readonly level: string;
  /** As dmesg prints it: "[    0.000001] text". */
  readonly text: string;
}

export interface RegBlockView {
  readonly name: string;
  readonly rows: readonly (RegRow & { readonly changed: boolean })[];
}

interface LogMemo {
  scanned: number;
  seqs: number[];
}
const logMemos = new WeakMap<Session, LogMemo>();

/** klog lines among records [0, end); undefined while the recording has none at all. */
export function logView(s: Session, end: number): LogLineView[] | undefined {
  let memo = logMemos.get(s);
  if (!memo) logMemos.set(s, (memo = { scanned: 0, seqs: [] }));
  const have = Math.min(end, s.recording.count);
  for (; memo.scanned < s.recording.count; memo.scanned++) if (kindOfLine(s.recording.line(memo.scanned)) === '"klog"') memo.seqs.push(memo.scanned);
  // Once the kernel has printed, the Log panel stays (empty before its first line), so going
  // back does not renumber the panels after it.
  if (!memo.seqs.length) return undefined;
  const seqs = memo.seqs.filter((q) => q < have);
  return seqs.map((seq) => {
    const r = s.recording.get(seq);
    return { seq, level: String((r as { level?: unknown }).level), text: dmesgLine(r) };
  });
}

interface RegMemo {
  at: string;
  cur: Map<string, (number | bigint)[]>;
  prev: Map<string, (number | bigint)[]>;
}
const regMemos = new WeakMap<Session, RegMemo>();

/** Every register block (M4Us, DMAR units); `changed` against the values at the previous position. */
export function registersView(s: Session): RegBlockView[] | undefined {
  const m = s.machine;
  const blocks = registerBlocksOf(m);
  if (!blocks.length) return undefined;
  let memo = regMemos.get(s);
  if (!memo) regMemos.set(s, (memo = { at: '', cur: new Map(), prev: new Map() }));
  const at = `${m.state.events}/${m.state.traceCount}`;
  if (memo.at !== at) {
    memo.prev = memo.cur;
    memo.cur = new Map();
    memo.at = at;
  }
  return blocks.map(({ name, rows }) => {
    memo.cur.set(name, rows.map((r) => r.val));
    const before = memo.prev.get(name);
    return { name, rows: rows.map((r, i) => ({ ...r, changed: before !== undefined && before[i] !== r.val })) };
  });
}

/** From the first DMA API map on: the live mappings, maybe none (the panel stays, numbers hold). */
export function mappingsView(s: Session): MappingRow[] | undefined {
  if (!s.machine.hasModel(DMA_DEBUG_MODEL)) return undefined;
  // A panel that came and went with each map/unmap would renumber the ones after it every step.
  return mappingRows(s.machine);
}
