/** `info kmem`: the kernel's own mappings on a 32-bit ARM highmem kernel, and kmemleak's objects. */
import { hex } from '../../sim/core/hex.ts';
import { KMEM_MODEL } from '../../sim/kmem/state.ts';
import { kmemStatus } from '../../sim/kmem/status.ts';
import { registerInspector } from './registry.ts';

const mib = (n: number): string => `${Math.round((n / 2 ** 20) * 10) / 10} MiB`;

registerInspector({
  name: 'kmem',
  usage: 'info kmem',
  summary: 'Kernel memory: lowmem/highmem, kmap and kmap_atomic slots, kmemleak objects',
  models: [KMEM_MODEL],
  run: ({ machine: m }) => {
    const s = kmemStatus(m)!;
    const lowVaEnd = s.pageOffset + (s.lowmemLimit - s.physOffset);
    const lines = [
      `lowmem  pa ${hex(s.physOffset)}-${hex(s.lowmemLimit)} at va ${hex(s.pageOffset)}-${hex(lowVaEnd)} (${mib(s.lowmemLimit - s.physOffset)}, linear)`,
      s.dramEnd > s.lowmemLimit ? `highmem pa ${hex(s.lowmemLimit)}-${hex(s.dramEnd)} (${mib(s.dramEnd - s.lowmemLimit)}): no kernel mapping unless kmap/kmap_atomic` : 'highmem none',
      `pkmap (kmap): ${s.pkmap.length} of 512 slots mapped`,
      ...s.pkmap.map((p) => `  [${p.nr}] va ${hex(p.va)} -> pa ${hex(p.pa)}  count ${p.count}${p.count === 1 ? ' (unused, flushed on wrap)' : ''}`),
      `fixmap (kmap_atomic, CPU 0): ${s.fixmap.filter((f) => f.held).length} held`,
      ...s.fixmap.map((f) => `  idx ${f.idx} va ${hex(f.va)} -> pa ${hex(f.pa)}  ${f.held ? 'held' : 'stale PTE (kunmap_atomic leaves it)'}`),
    ];
    if (!s.kmemleak) lines.push('kmemleak: off (CONFIG_DEBUG_KMEMLEAK not set)');
    else {
      lines.push(`kmemleak: ${s.kmemleak.length} object(s)`);
      for (const o of s.kmemleak) lines.push(`  ${hex(o.va)} size ${o.size} ${o.black ? 'black (ignored)' : 'white/grey'}  ${o.from}`);
    }
    if (s.oopses) lines.push(`oopses: ${s.oopses}`);
    return lines;
  },
});
