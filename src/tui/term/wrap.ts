/**
 * Wrapping that keeps every character: the lines are consecutive slices of the text, so
 * joined they give it back exactly. A line breaks after a space when one is in reach, so
 * a `field=value` stays whole unless it is wider than the row.
 */
export function wrapKeep(text: string, w: number): string[] {
  if (w <= 0) return [];
  const cs = /[\uD800-\uDBFF]/.test(text) ? Array.from(text) : null;
  const len = cs ? cs.length : text.length;
  const at = (i: number) => (cs ? cs[i] : text[i]);
  const slice = (a: number, b: number) => (cs ? cs.slice(a, b).join('') : text.slice(a, b));
  const out: string[] = [];
  let a = 0;
  while (a < len) {
    if (len - a <= w) {
      out.push(slice(a, len));
      break;
    }
    // The last space in the window ends the line (it stays on this line, invisible).
    let b = a + w;
    let s = b - 1;
    while (s > a && at(s) !== ' ') s--;
    if (s > a) b = s + 1;
    out.push(slice(a, b));
    a = b;
  }
  return out;
}

/**
 * At most `rows` lines of `wrapKeep(text, w)`; when the text needs more, the last line is
 * cut one column short and ends with `…` (the caller makes the whole text one key away).
 */
export function wrapShown(text: string, w: number, rows: number): { lines: string[]; cut: boolean } {
  const all = wrapKeep(text, w);
  if (all.length <= rows) return { lines: all, cut: false };
  const lines = all.slice(0, rows);
  if (rows > 0) {
    const last = lines[rows - 1];
    const cs = Array.from(last);
    lines[rows - 1] = (cs.length >= w ? cs.slice(0, w - 1).join('') : last) + '…';
  }
  return { lines, cut: true };
}
