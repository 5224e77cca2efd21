/** A panel's title row (inverse when focused) above its body; collapsed panels are the title only. */
import type { Theme } from '../theme.tsx';
import { Line } from '../term/style.ts';

export function titleRow(n: number, title: string, summary: string, focused: boolean, width: number, collapsed: boolean, theme: Theme): string {
  const head = `${collapsed ? '▸' : '▾'} ${n} ${title}`;
  const rest = summary ? `  ${summary}` : '';
  if (focused) return new Line(width, { inverse: true, bold: true }).addFit(head + rest).toString();
  const line = new Line(width).add(head, { fg: theme.c('accent') }).addFit(rest, { fg: theme.c('accent'), dim: true });
  if (line.room > 1) line.add(' ').add('─'.repeat(line.room), { fg: theme.c('accent'), dim: true });
  return line.toString();
}

/** Collapsed panels that share one title row when the screen has no row for each. */
export function moreRow(panels: readonly { n: number; title: string }[], width: number, theme: Theme): string {
  return new Line(width).addFit(`▸ ${panels.map((p) => `${p.n} ${p.title}`).join('  ▸ ')}`, { fg: theme.c('accent') }).toString();
}
