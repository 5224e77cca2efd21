/**
 * The dropped guest invalidation in a real pseudo-terminal: open vsva-missing-invalidate,
 * break on the stale-TLB finding, read the PASID panel (the guest PASID bound to vf0, its
 * cached entries; dmar0's IOTLB with the stale entry), ask `why` (the guest's PTE write), resize to 80x24 and zoom the panel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Pty, spawnCli } from './pty.ts';

let p: Pty | undefined;
afterEach(() => p?.kill());

describe('vsva in a pty', () => {
  it('stops at the stale device-TLB hit, shows the PASID panel and the PTE write behind it', async () => {
    p = spawnCli(['tui', 'vsva-missing-invalidate']);
    await p.waitFor(/vsva-missing-invalidate\s+seed 1\s+v5\.4\s+event 0/);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break stale-tlb\r');
    await p.waitFor(/1 on\s+break\s+stale-tlb/);
    p.send('c');
    const stop = await p.waitFor(/stopped: breakpoint 1[^]*\n>\s+56\s+\S+\s+stale-tlb\s+iommu=vtd-nested/);
    // The device is dmar0's: its IOTLB panel shows the unit's entry for the remapped page as stale too.
    expect(stop).toMatch(/d2 pasid 1 0x400000 -> 0x81100000 4K rw\s+STALE/);
    expect(stop).toMatch(/vm0 IOASIDs\s+active vm0:dmar0\.pasid_allocator/);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('why\r');
    await p.waitFor(/why: record 55 caused record 56/);
    p.resize(80, 24);
    await p.waitFor((ls) => /vsva-missing-invalidate/.test(ls[0]) && ls.length === 24);
    p.send('4');
    await new Promise((r) => setTimeout(r, 50));
    p.send('z');
    const zoomed = await p.waitFor((ls) => /^▾ 4 PASID/.test(ls[1]));
    expect(zoomed).toMatch(/vf0 \(vm0\) PASID 1 DID 2/);
    expect(zoomed).toMatch(/root 0x81fff000\s+IOTLB 2\s+devTLB 2/);
    p.send('q');
    const { exitCode } = await p.exited;
    expect(exitCode).toBe(0);
  }, 120_000);
});
