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

/** The pool as `n` cells at most; returns the cells and slots per cell. */
export function slotCells(v: SwiotlbView, maxCells: number): { cells: Cell[]; per: number } {
  const per = Math.max(1, Math.ceil(v.nslabs / Math.max(1, maxCells)));
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
    `largest free run ${fr.largest} slots${fr.largestAt >= 0 ? ` @${fr.largestAt}` : ''} (${bytes(fr.largest * v.slotSize)})  runs ${fr.buckets.map(([n, c]) => `${n}:${c}`).join(' ')}`,
  ];
  if (v.lastFailed) {
    const f = v.lastFailed;
    lines.push(`last failed: ${f.dev} ${bytes(f.size)} needs ${f.nslots} slots > largest free run ${fr.largest}`);
  }
  return lines;
}

export function legend(v: SwiotlbView): string {
  return [...v.owners.map((o, i) => `${ownerLetter(i)} ${o}`), `${FREE} free`, `${MIXED} mixed`, '[ ] index'].join('  ');
}
