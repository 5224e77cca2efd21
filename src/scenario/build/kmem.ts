/**
 * The kernel memory model (after memory, before anything that allocates page tables): the
 * `kmem` section, or its defaults when an s3cmci device needs a highmem kernel.
 */
import { armLayout } from '../../sim/kmem/layout.ts';
import { kmemCreate } from '../../sim/kmem/state.ts';
import { KmemSection } from '../schema/kmem.ts';
import type { BuildStep } from './context.ts';

export const buildKmem: BuildStep = ({ m, s }) => {
  const k = s.kmem ?? (s.devices.some((d) => d.kind === 's3cmci') ? KmemSection.parse({}) : undefined);
  if (!k) return;
  kmemCreate(m, armLayout({ pageOffset: k.pageOffset, vmalloc: k.vmalloc, dram: s.memory.dram }), k.kmemleak);
};
