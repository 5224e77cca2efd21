/**
 * SWIOTLB slot map: one cell per slot, or per group of slots when the pool has more slots
 * than cells; free runs never cross an IO_TLB_SEGSIZE boundary, as in the kernel.
 */
import type { SwiotlbView } from './model.ts';

export const FREE = '·';
export const MIXED = '▒';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function ownerLetter(i: number): string {
  return LETTERS[i % LETTERS.length];
}

export interface FreeRuns {
  readonly largest: number;
  readonly largestAt: number;
  readonly used: number;
  /** Runs by length bucket: "1", "2-7", "8-31", "32-127", "128+". */
  readonly buckets: readonly [string, number][];
}

export function freeRuns(v: SwiotlbView): FreeRuns {
  let largest = 0, largestAt = -1, used = 0, run = 0, runAt = 0;
  const bucketNames = ['1', '2-7', '8-31', '32-127', `${v.segSize}`];
  const counts = [0, 0, 0, 0, 0];
  const close = () => {
    if (run === 0) return;
    counts[run === 1 ? 0 : run < 8 ? 1 : run < 32 ? 2 : run < v.segSize ? 3 : 4]++;
    if (run > largest) { largest = run; largestAt = runAt; }
    run = 0;
  };
  for (let i = 0; i < v.nslabs; i++) {
    if (i % v.segSize === 0) close();
    if (v.owner[i] < 0) {
      if (run === 0) runAt = i;
      run++;
    } else {
      used++;
      close();
    }
  }
  close();
  return { largest, largestAt, used, buckets: bucketNames.map((n, i) => [n, counts[i]]) };
}

export interface Cell {
  readonly ch: string;
  /** Owner index when one owner fills the cell, -1 when free, -2 when mixed. */
  readonly owner: number;
  readonly index: boolean;
}

/**
 * Slots per cell: the fewest that fit the pool in `maxCells`, chosen so that no cell
 * straddles an IO_TLB_SEGSIZE boundary (free runs never cross one in the kernel, so a
 * cell spanning two segments would show a run that cannot exist): a divisor of the
 * segment size, or a whole number of segments.
 */
export function slotsPerCell(nslabs: number, segSize: number, maxCells: number): number {
  const need = Math.max(1, Math.ceil(nslabs / Math.max(1, maxCells)));
  if (need > segSize) return Math.ceil(need / segSize) * segSize;
  for (let per = need; per < segSize; per++) if (segSize % per === 0) return per;
  return segSize;
}

/** Cells per grid row: whole segments per row when they fit, else a segment split evenly. */
export function cellsPerRow(per: number, segSize: number, width: number): number {
  const w = Math.max(1, width);
  const perSeg = per < segSize ? segSize / per : 1;
  if (perSeg <= w) return Math.floor(w / perSeg) * perSeg;
  for (let n = w; n > 1; n--) if (perSeg % n === 0) return n;
  return w;
}

/** The pool as `maxCells` cells at most; returns the cells and slots per cell. */
export function slotCells(v: SwiotlbView, maxCells: number, per = slotsPerCell(v.nslabs, v.segSize, maxCells)): { cells: Cell[]; per: number } {
  const cells: Cell[] = [];
  for (let s = 0; s < v.nslabs; s += per) {
    let owner = v.owner[s];
    let mixed = false;
    for (let k = s + 1; k < Math.min(v.nslabs, s + per); k++) if (v.owner[k] !== owner) mixed = true;
    if (mixed) owner = -2;
    const index = v.index >= s && v.index < s + per;
    cells.push({ ch: owner === -1 ? FREE : owner === -2 ? MIXED : ownerLetter(owner), owner, index });
  }
  return { cells, per };
}

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

export function infoLines(v: SwiotlbView, fr: FreeRuns, per: number): string[] {
  const lines = [
    `${v.nslabs} slots x ${v.slotSize} B @0x${v.start.toString(16)}  used ${fr.used}  index ${v.index}  max mapping ${bytes(v.maxMappingSize)}${per > 1 ? `  (1 cell = ${per} slots)` : ''}`,
    fr.largest > 0
      ? `largest free run ${fr.largest} slots @${fr.largestAt} (${bytes(fr.largest * v.slotSize)})  runs ${fr.buckets.map(([n, c]) => `${n}:${c}`).join(' ')}`
      : 'no free slot: every slot is in use',
  ];
  if (v.lastFailed) {
    const f = v.lastFailed;
    lines.push(`last failed: ${f.dev} ${bytes(f.size)} needs ${f.nslots} slots > ${fr.largest > 0 ? `largest free run ${fr.largest}` : 'no free slot'}`);
  }
  return lines;
}

export function legend(v: SwiotlbView): string {
  return [...v.owners.map((o, i) => `${ownerLetter(i)} ${o}`), `${FREE} free`, `${MIXED} mixed`, '[ ] index'].join('  ');
}
