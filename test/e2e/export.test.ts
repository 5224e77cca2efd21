/**
 * The TUI's `:export` in a real pseudo-terminal: stop at the mt8183 fault, export the
 * recording as a Perfetto trace, and find the faulting access in the file (decoded).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pty, spawnCli } from './pty.ts';
import { summarisePerfetto } from '../helpers/perfetto-summary.ts';
import { dmadbg } from '../helpers/cli.ts';

let p: Pty | undefined;
afterEach(() => p?.kill());

describe('export from the TUI', () => {
  it(':export perfetto FILE writes the recording up to the stop', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dmadbg-e2e-export-')), 'fault.pftrace');
    p = spawnCli(['tui', 'mt8183-bus-sel']);
    await p.waitFor(/mt8183-bus-sel\s+seed 1\s+v5\.4\s+event 0/);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break fault\r');
    await p.waitFor(/1 on\s+break\s+fault/);
    p.send('c');
    const atFault = await p.waitFor(/stopped: breakpoint 1[^]*\n>\s+(\d+)\s+\S+\s+dma\s+dev=vdec0/);
    const seq = Number(/\n>\s+(\d+)\s+\S+\s+dma\s+dev=vdec0/.exec(atFault)![1]);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send(`export perfetto ${file}\r`);
    await p.waitFor(new RegExp(`Wrote records 0\\.\\.${seq} to`));
    expect(existsSync(file)).toBe(true);
    const s = summarisePerfetto(readFileSync(file));
    expect(s.unbalanced).toEqual([]);
    // The recording ends at the faulting access: its slice is still waiting for the ISR.
    expect(s.slices.some((x) => x.startsWith('devices/vdec0 faults: fault until reported'))).toBe(true);
    expect(s.tracks).toContain('devices/vdec0');
    p.send('q');
    const { exitCode } = await p.exited;
    expect(exitCode).toBe(0);
  }, 120_000);

  it('tui --commands opens a shrunk scenario stopped at its failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmadbg-e2e-shrink-'));
    const r = dmadbg(['shrink', 'mtk-swarm-flush', '--seed', '4', '--fail-on', 'stale-tlb', '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    p = spawnCli(['tui', join(dir, 'mtk-swarm-flush-seed4.min.json'), '--commands', join(dir, 'mtk-swarm-flush-seed4.min.cmds')]);
    await p.waitFor(/stopped: breakpoint 1[^]*\n>\s+\d+\s+\S+\s+stale-tlb\s+iommu=m4u0/);
    p.send('q');
    const { exitCode } = await p.exited;
    expect(exitCode).toBe(0);
  }, 120_000);
});
