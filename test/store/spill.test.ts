/**
 * The spill file: a debugger session's recording and checkpoints go to a file in the
 * workspace, so the session's memory does not grow with the recording; nothing is left on
 * disk; an unwritable workspace keeps the recording in memory and says so once.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { openSpill } from '../../src/store/spill.ts';
import { Workspace } from '../../src/store/workspace.ts';
import { spillFor } from '../../src/cli/session-store.ts';
import { loadScenario } from '../helpers/scenario.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'dmadbg-spill-'));

function longDemo(repeat: number) {
  const sc = loadScenario('demo-dma-engine');
  return buildMachine({ ...sc, devices: sc.devices.map((d) => ({ ...d, repeat })) });
}

/** Bytes that do not deflate to nothing, different per i. */
function chunk(i: number, n = 200_000): Uint8Array {
  const b = new Uint8Array(n);
  let x = i * 2654435761;
  for (let j = 0; j < n; j++) b[j] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24 & (j % 7 === 0 ? 0xff : 0x0f);
  return b;
}

describe('spill vault', () => {
  it('gives back every chunk exactly, keeps only an index in memory, leaves no file behind', () => {
    const dir = tmp();
    const v = openSpill(dir);
    const handles = Array.from({ length: 20 }, (_, i) => v.put(chunk(i)));
    expect(v.diskBytes()).toBeGreaterThan(20 * 10_000); // deflated, on disk
    expect(v.memoryBytes()).toBeLessThan(1024);
    for (const i of [19, 0, 7, 7, 13]) expect(Buffer.from(v.get(handles[i])).equals(Buffer.from(chunk(i)))).toBe(true);
    // Unlinked while open: the workspace's spill directory is empty.
    expect(readdirSync(join(dir, 'spill'))).toEqual([]);
    v.clear();
    expect(v.diskBytes()).toBe(0);
    const h = v.put(chunk(99));
    expect(Buffer.from(v.get(h)).equals(Buffer.from(chunk(99)))).toBe(true);
    v.close();
  });

  it('a session leaves no file in the workspace', () => {
    const dir = tmp();
    const s = new Session(longDemo(200), { spill: openSpill(dir), fastForward: false });
    s.exec('continue');
    expect(readdirSync(join(dir, 'spill'))).toEqual([]);
  });

  it('an unwritable workspace: one warning, the recording stays in memory and reads back', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'spill'), 'a file where the directory should be');
    const warnings: string[] = [];
    const v = openSpill(dir, (l) => warnings.push(l));
    const h = [v.put(chunk(1)), v.put(chunk(2))];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot create the spill file .*: a file is in the way of a directory \(ENOTDIR\); the recording stays in memory/);
    expect(Buffer.from(v.get(h[1])).equals(Buffer.from(chunk(2)))).toBe(true);
    expect(v.memoryBytes()).toBeGreaterThan(10_000); // the deflated chunks
  });

  it('a workspace that cannot be written gives a session no spill file', () => {
    const dir = tmp();
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const ws = new Workspace(join(file, 'ws'), { warn: () => {} });
    expect(ws.offline).toBeDefined();
    expect(spillFor(ws)).toBeUndefined();
    expect(spillFor(new Workspace(tmp()))).toBeDefined();
  });
});

describe('a session that spills', () => {
  it('keeps its recording on disk: memory holds an index, every record reads back, reverse motion works', () => {
    const dir = tmp();
    const spill = openSpill(dir);
    const opts = { fastForward: false, checkpoints: { interval: 64 } };
    const s = new Session(longDemo(2000), { ...opts, spill });
    const mem = new Session(longDemo(2000), opts);
    s.exec('step 6000');
    mem.exec('step 6000');
    const n = s.machine.state.traceCount;
    expect(s.recording.chunks).toBeGreaterThan(3); // several 1 MiB chunks sealed
    expect(spill.diskBytes()).toBeGreaterThan(200_000);
    // In memory: the open chunk, the read cache and small indexes; not the sealed chunks.
    expect(s.recording.bytes()).toBeLessThan(mem.recording.bytes());
    expect(s.checkpoints.memoryBytes).toBeLessThan(mem.checkpoints.memoryBytes / 10);
    for (let i = 0; i < n; i += 509) expect(s.recording.line(i)).toBe(mem.recording.line(i));
    const a = s.exec('reverse-step 4321');
    const b = mem.exec('reverse-step 4321');
    expect(a.lines).toEqual(b.lines);
    expect(s.exec('goto 12345').lines).toEqual(mem.exec('goto 12345').lines);
    expect(s.recording.verified).toBeGreaterThan(0);
  });

  it('memory stays flat as the recording grows ten times', () => {
    const held = (events: number) => {
      const s = new Session(longDemo(20_000), { fastForward: false, spill: openSpill(tmp()) });
      s.exec(`step ${events}`);
      return s.recording.bytes() + s.checkpoints.memoryBytes;
    };
    const small = held(3000);
    const large = held(30_000);
    expect(large).toBeLessThan(small * 1.5 + (1 << 20));
  });
});
