/**
 * Where panels go, as a pure function of the terminal size, the available panels, the
 * focus and zoom. Every panel gets a fixed height (its title row included), so the frame
 * is the same height after every step and Ink never re-flows it. The root is rows-1 tall:
 * a frame as tall as the terminal makes Ink 6.8 clear the screen on every frame.
 *
 *  wide (>= 100 columns): timeline on the left, model panels stacked on the right;
 *  narrow: timeline on top, model panels below; console across the bottom either way.
 *  Panels that do not fit collapse to their title row, except the focused one; when even the
 *  title rows do not fit, the last one lists the rest by number (Tab or the number focuses them).
 */
export interface Slot {
  readonly id: string;
  readonly width: number;
  /** Rows including the title row; 1 = collapsed to the title. */
  readonly height: number;
  /** Panels with no row of their own, listed on this collapsed title row (so none is hidden silently). */
  readonly more?: readonly string[];
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Columns of the panel area, left to right. */
  readonly columns: readonly { readonly width: number; readonly slots: readonly Slot[] }[];
  readonly console?: Slot;
}

export interface LayoutInput {
  readonly cols: number;
  readonly rows: number;
  /** Available panels in Tab order, by region. */
  readonly main: readonly string[];
  readonly side: readonly string[];
  readonly bottom?: string;
  readonly focus: string;
  readonly zoom: boolean;
}

export const WIDE = 100;
const MIN_PANEL = 4;
const WEIGHT: Record<string, number> = { pgtable: 3, larb: 3, swiotlb: 3, vtd: 3, amd: 3, iotlb: 2, pci: 3, devices: 2, notifiers: 2, hmm: 3, breakpoints: 1 };

/** Split `height` rows among `ids`: all get a share when they fit, else the focused one does. */
export function stack(ids: readonly string[], width: number, height: number, focus: string): Slot[] {
  if (ids.length === 0 || height <= 0) return [];
  if (ids.length * MIN_PANEL <= height) {
    // The focused panel gets a double share, so moving focus shows more of it.
    const w = ids.map((id) => (WEIGHT[id] ?? 2) * (id === focus ? 2 : 1));
    const total = w.reduce((a, b) => a + b, 0);
    const hs = w.map((x) => Math.max(MIN_PANEL, Math.floor((height * x) / total)));
    let extra = height - hs.reduce((a, b) => a + b, 0);
    for (let i = 0; extra !== 0; i = (i + 1) % hs.length) {
      if (extra > 0) { hs[i]++; extra--; } else if (hs[i] > MIN_PANEL) { hs[i]--; extra++; }
    }
    return ids.map((id, i) => ({ id, width, height: hs[i] }));
  }
  // Not enough room: one panel open (the focused one, else the first), the rest as title rows.
  const open = ids.includes(focus) ? focus : ids[0];
  const shown = ids.slice(0, Math.max(Math.min(2, height), height - (MIN_PANEL - 1)));
  if (!shown.includes(open)) shown[shown.length - 1] = open;
  const slots: Slot[] = shown.map((id) => ({ id, width, height: id === open ? height - (shown.length - 1) : 1 }));
  const hidden = ids.filter((id) => !shown.includes(id));
  const last = slots.map((sl) => sl.id !== open).lastIndexOf(true);
  if (hidden.length > 0 && last >= 0) slots[last] = { ...slots[last], more: hidden };
  return slots;
}

export function layout(i: LayoutInput): Layout {
  const width = Math.max(20, i.cols);
  const height = Math.max(6, i.rows - 1);
  const body = height - 2; // status bar above, hint / prompt row below
  if (i.zoom) {
    const region = i.bottom === i.focus ? [] : [{ width, slots: [{ id: i.focus, width, height: body }] }];
    return { width, height, columns: region, console: i.bottom === i.focus ? { id: i.focus, width, height: body } : undefined };
  }
  const consoleH = i.bottom ? (height >= 36 ? 7 : height >= 26 ? 5 : 3) : 0;
  const area = body - consoleH;
  const console = i.bottom ? { id: i.bottom, width, height: consoleH } : undefined;
  if (width >= WIDE && i.side.length > 0) {
    const left = Math.max(60, Math.floor(width * 0.55));
    return {
      width,
      height,
      columns: [
        { width: left, slots: stack(i.main, left, area, i.focus) },
        { width: width - left, slots: stack(i.side, width - left - 1, area, i.focus) },
      ],
      console,
    };
  }
  const mainH = i.side.length === 0 ? area : Math.max(MIN_PANEL, Math.floor(area * 0.6));
  const slots = [...stack(i.main, width, mainH, i.focus), ...stack(i.side, width, area - mainH, i.focus)];
  return { width, height, columns: [{ width, slots }], console };
}
