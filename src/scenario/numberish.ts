/** "0x1f000", "4096", "64K", "1M", "0x1_0000_0000" -> number (NaN when none of these). No zod here: the CLI parses options with it before loading anything heavy. */
const SIZE_SUFFIX: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

export function parseNumberish(s: string): number {
  const t = s.trim().replace(/_/g, '');
  let m = /^0x([0-9a-f]+)$/i.exec(t);
  if (m) return parseInt(m[1], 16);
  m = /^(\d+)([KMGT])i?B?$/i.exec(t);
  if (m) return Number(m[1]) * SIZE_SUFFIX[m[2].toUpperCase()];
  if (/^\d+$/.test(t)) return Number(t);
  return NaN;
}

