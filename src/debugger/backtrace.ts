/**
 * `bt` and `frame`: the kernel call chain a record was emitted under (src/sim/core/kstack.ts),
 * printed as gdb prints a backtrace, innermost frame first:
 *
 *   #0  __arm_v7s_unmap (iova=0x7f000000, size=0x1000, lvl=2) at drivers/iommu/io-pgtable-arm-v7s.c
 *   #1  arm_v7s_unmap (iova=0x7f000000, size=0x1000) at drivers/iommu/io-pgtable-arm-v7s.c
 *
 * Arguments are kept only while the machine replays up to the record with KStack.keepArgs
 * on (what `bt` does), so recording costs one interned chain id per record.
 */
import type { KFrame } from '../sim/core/kstack.ts';

/** enum dma_data_direction (include/linux/dma-direction.h), as gdb prints an enum. */
const DMA_DIRECTION = ['DMA_BIDIRECTIONAL', 'DMA_TO_DEVICE', 'DMA_FROM_DEVICE', 'DMA_NONE'];

/** Arguments that are counts, levels or ids: decimal, as gdb prints an int. The rest are addresses, sizes, masks: hex. */
const DECIMAL = new Set(['lvl', 'nelems', 'nents', 'pages', 'nr_pages', 'page_count', 'pasid', 'irq', 'bus', 'devfn', 'did', 'domid', 'devid', 'sid', 'source_id', 'type', 'fault_reason', 'action', 'color', 'guest_width', 'nrpages', 'ih', 'map', 'fm', 'function_mask', 'size_order', 'pde', 'larb', 'port', 'index']);

export function argText(name: string, v: number): string {
  if (name === 'dir' && Number.isInteger(v) && DMA_DIRECTION[v]) return DMA_DIRECTION[v];
  if (DECIMAL.has(name) || v < 0) return String(v);
  return '0x' + v.toString(16);
}

/** One frame line; `args` false when they were not kept (gdb's "..." for optimised-out). */
export function frameLine(i: number, f: KFrame): string {
  const args = f.func.args.map((a, k) => `${a}=${f.args ? argText(a, f.args[k] ?? 0) : '...'}`).join(', ');
  return `#${i}  ${f.func.name} (${args}) at ${f.func.file}`;
}

export function backtraceLines(frames: readonly KFrame[]): string[] {
  return frames.map((f, i) => frameLine(i, f));
}
