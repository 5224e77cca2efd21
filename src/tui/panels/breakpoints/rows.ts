import type { PointView } from '../../session-port.ts';

export function breakpointLine(b: PointView): string {
  const type = b.type === 'breakpoint' ? (b.temporary ? 'tbreak' : 'break') : b.type === 'watchpoint' ? 'watch' : 'log';
  const cond = b.condition ? ` if ${b.condition}` : '';
  return `${String(b.id).padStart(3)} ${b.enabled ? 'on ' : 'off'} ${type.padEnd(6)} ${b.what}${cond}  (${b.hits} hit${b.hits === 1 ? '' : 's'})`;
}
