/**
 * Writing a scenario without guessing, in a real pseudo-terminal (issue 18 §6): `dmadbg new`
 * writes a commented mt8183 scenario, the user edits one field (the IOVA the decoder reads by
 * mistake) keeping the comments, and the TUI opens the edited file and breaks on the fault
 * at the new address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pty, spawnCli } from './pty.ts';

let p: Pty | undefined;
afterEach(() => p?.kill());

describe('a new scenario, edited and run', () => {
  it('new --template mtk, change the faulting IOVA, break on the fault there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmadbg-e2e-new-'));
    const file = join(dir, 'vdec-bug.jsonc');
    p = spawnCli(['new', join(dir, 'vdec-bug'), '--template', 'mtk']);
    await p.waitFor(/wrote \S*vdec-bug\.jsonc \(template mtk/);
    expect((await p.exited).exitCode).toBe(0);

    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/\/\/ Nothing maps 0x7f000000: the access faults in the M4U/);
    writeFileSync(file, text.replace('"iova": "0x7f000000"', '"iova": "0x30000000"'));

    p = spawnCli(['tui', file]);
    await p.waitFor(/vdec-bug\s+seed 1\s+v5\.4\s+event 0/);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break fault\r');
    await p.waitFor(/1 on\s+break\s+fault/);
    p.send('c');
    const stop = await p.waitFor(/stopped: breakpoint 1[^]*\n>\s+\d+\s+\S+\s+dma\s+dev=vdec0 addr=0x30000000/);
    expect(stop).toMatch(/result=fault/);
    p.send('q');
    expect((await p.exited).exitCode).toBe(0);
  }, 120_000);
});
