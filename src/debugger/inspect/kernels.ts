/**
 * The behaviour table as text, one column per kernel: `dmadbg info kernels` prints it
 * with each row's choices, summary and source; the debugger's `info kernels` adds the
 * column this machine runs (its kernel, or the scenario's override). A choice no modelled
 * kernel runs (a row's `whatIf`) is marked `*` and named with the kernel it comes from.
 */
import { BEHAVIOURS, KERNEL_VERSIONS, type Behaviour } from '../../sim/kernel.ts';

/** A choice as the table prints it: a what-if one carries a `*`. */
export function choiceText(b: Behaviour, choice: string): string {
  return (b.whatIf as Readonly<Record<string, string>> | undefined)?.[choice] !== undefined ? `${choice}*` : choice;
}

function table(last: { head: string; cell: (b: Behaviour) => string }): string[] {
  const cols: { head: string; cell: (b: Behaviour) => string }[] = [
    { head: 'behaviour', cell: (b) => b.id },
    ...KERNEL_VERSIONS.map((k) => ({ head: k, cell: (b: Behaviour) => b.kernels[k] })),
    last,
  ];
  const widths = cols.map((c) => Math.max(c.head.length, ...BEHAVIOURS.map((b) => c.cell(b).length)));
  const line = (cells: string[]) => cells.map((t, i) => (i === cells.length - 1 ? t : t.padEnd(widths[i]))).join('  ');
  return [line(cols.map((c) => c.head)), ...BEHAVIOURS.map((b) => line(cols.map((c) => c.cell(b))))];
}

/** Every row with its choice per kernel and the choices a scenario may override it with. */
export function kernelTable(): string[] {
  const [head, ...rows] = table({ head: 'choices (* what-if)', cell: (b) => b.choices.map((c) => choiceText(b, c)).join('|') });
  const pad = ''.padEnd(Math.max(...BEHAVIOURS.map((b) => b.id.length), 'behaviour'.length));
  return [
    head,
    ...rows.flatMap((r, i) => {
      const b = BEHAVIOURS[i];
      const whatIf = Object.entries(b.whatIf ?? {}).map(([c, from]) => `${pad}  what-if ${c}: ${from as string}`);
      return [r, `${pad}  ${b.summary}`, ...whatIf, `${pad}  source: ${b.source}`];
    }),
  ];
}

/** The table with the choice in force on one machine as the last column. */
export function kernelTableFor(kernel: string, choice: (b: Behaviour) => string): string[] {
  return [`kernel ${kernel}`, ...table({ head: 'here', cell: (b) => choiceText(b, choice(b)) })];
}
