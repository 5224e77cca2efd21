/** Rows for the plain list panels: one text per row, a style per row, the cursor as a bar. */
import { Line, type Style, plainRow } from '../term/style.ts';
import { type RowCtx, windowStart } from './panel.ts';

export interface ListItem {
  readonly text: string;
  readonly style?: Style;
  /** A mark drawn in the first column ('>' for the current stop's larb, '*' changed). */
  readonly mark?: string;
}

/** The selection: an inverse bar when the panel has focus, underlined otherwise. */
export function selectionStyle(selected: boolean, focused: boolean): Style | undefined {
  if (!selected) return undefined;
  return focused ? { inverse: true } : { underline: true };
}

/**
 * `items` windowed around `cursor` to the height, cut with `…` at the width (the whole row
 * is one key away: `z` zooms the panel). `cursor` < 0: no selection bar. `empty` is said
 * when there is nothing to list.
 */
export function listRows(items: readonly ListItem[], cursor: number, ctx: RowCtx, empty?: string, opts: { marks?: boolean; underlineUnfocused?: boolean } = {}): string[] {
  if (items.length === 0) return empty ? [plainRow(empty, ctx.width, { dim: true })] : [];
  const start = windowStart(Math.max(0, cursor), items.length, ctx.height);
  const out: string[] = [];
  for (let i = start; i < Math.min(items.length, start + ctx.height); i++) {
    const it = items[i];
    const sel = i === cursor && (ctx.focused || opts.underlineUnfocused === true);
    const line = new Line(ctx.width, selectionStyle(sel, ctx.focused));
    if (opts.marks) line.add(it.mark ?? ' ', it.style);
    out.push(line.addFit(it.text, it.style).toString());
  }
  return out;
}
