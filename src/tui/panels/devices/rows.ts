import type { DeviceView } from '../../session-port.ts';

/** One line per device, then its queue entries indented when there is room. */
export function deviceLine(d: DeviceView): string {
  return `${d.name.padEnd(8)} ${d.bdf ? `${d.bdf} ` : ''}${d.kind.padEnd(10)} mask ${String(d.dmaMaskBits).padStart(2)}b  ${d.dmaOps}/${d.translator}  ${d.status}`;
}

export function deviceRows(devs: readonly DeviceView[], withQueues: boolean): { text: string; dev: number; sub: boolean }[] {
  const out: { text: string; dev: number; sub: boolean }[] = [];
  devs.forEach((d, i) => {
    out.push({ text: deviceLine(d), dev: i, sub: false });
    if (withQueues) for (const q of d.queue) out.push({ text: `  └ ${q}`, dev: i, sub: true });
  });
  return out;
}
