/**
 * Time travel: reverse motion restores a checkpoint and replays; going forward again must
 * give the same machine state and the same records. The recording checks each replayed
 * record against the stored one, so a nondeterministic model is caught (leakyMachine).
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';

import { loadScenario } from '../helpers/scenario.ts';
import { leakyMachine } from './synthetic.ts';

function longDemo(repeat = 200) {
  const s = loadScenario('demo-dma-engine');
  return buildMachine({ ...s, devices: s.devices.map((d) => ({ ...d, repeat })) });
}

function traceUpTo(s: Session): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.machine.state.traceCount; i++) out.push(s.recording.line(i));
  return out;
}

describe('reverse-step N then step N returns to the same state and trace', () => {
  for (const n of [1, 7, 100, 499]) {
    it(`N=${n}`, () => {
      const s = new Session(longDemo(), { checkpoints: { interval: 16, max: 8 } });
      s.exec('step 500');
      const state = structuredClone(s.machine.state);
      const trace = traceUpTo(s);
      const back = s.exec(`reverse-step ${n}`);
      expect(back.stop?.events).toBe(500 - n);
      expect(s.machine.state.traceCount).toBe(s.recording.recordsAt(500 - n));
      const fwd = s.exec(`step ${n}`);
      expect(fwd.error).toBeUndefined();
      expect(s.machine.state).toEqual(state);
      expect(traceUpTo(s)).toEqual(trace);
      if (n > 1) expect(s.recording.verified).toBeGreaterThan(0);
    });
  }

  it('a run with reverse motion in the middle ends with the same trace as a plain run', () => {
    const s = new Session(longDemo(20), { checkpoints: { interval: 8, max: 4 } });
    s.exec('step 37');
    s.exec('reverse-step 30');
    s.exec('step 5');
    s.exec('goto @3');
    expect(s.exec('continue').stop?.reason).toBe('end');
    const m = longDemo(20).machine;
    while (m.step());
    const direct: string[] = [];
    for (let i = 0; i < m.trace.count; i++) direct.push(m.trace.line(i));
    expect(traceUpTo(s)).toEqual(direct);
  });

  it('keeps checkpoint memory bounded: thins to at most `max` snapshots', () => {
    const s = new Session(longDemo(2000), { checkpoints: { interval: 4, max: 10 }, fastForward: false });
    s.exec('step 5000');
    expect(s.checkpoints.count).toBeLessThanOrEqual(10);
    expect(s.checkpoints.interval).toBeGreaterThanOrEqual(512);
    expect(s.checkpoints.events()[0]).toBe(0);
  });

  it('a replay that differs from the recording is an error stop, not silence', () => {
    const s = new Session(leakyMachine());
    s.exec('step 20');
    const r = s.exec('reverse-step 5');
    expect(r.stop?.reason).toBe('error');
    expect(r.error?.message).toMatch(/replay diverged at seq 0/);
  });
});

describe('reverse-continue, goto, bookmarks', () => {
  it('reverse-continue finds the previous hit, then the one before, then the start', () => {
    const s = new Session(longDemo(4));
    s.exec('break kind=dma where dev=dma32');
    const fwd: number[] = [];
    for (let i = 0; i < 3; i++) fwd.push(s.exec('continue').stop!.record!.seq);
    expect(fwd).toEqual([17, 38, 75]);
    const hits = s.view().points[0].hits;
    const r1 = s.exec('reverse-continue');
    expect(r1.stop).toMatchObject({ reason: 'breakpoint', id: 1, record: { seq: 38 } });
    expect(r1.lines[0]).toMatch(/^reverse: Breakpoint 1/);
    expect(s.exec('reverse-continue').stop?.record?.seq).toBe(17);
    expect(s.view().points[0].hits).toBe(hits); // looking back does not count hits
    const r3 = s.exec('reverse-continue');
    expect(r3.stop?.events).toBe(0);
    expect(r3.lines[0]).toBe('No earlier breakpoint or watchpoint hit; at the start.');
    expect(s.exec('continue').stop?.record?.seq).toBe(17);
  });

  it('reverse-continue finds watchpoints too, skipping other kinds unparsed', () => {
    const s = new Session(longDemo(4));
    s.exec('watch pa 0x40008000+64');
    s.exec('break kind=dev-done');
    s.exec('continue');
    s.exec('continue');
    const at = s.exec('continue').stop!;
    const r = s.exec('reverse-continue');
    expect(r.stop?.reason).toBe('watchpoint');
    expect(r.stop!.events).toBeLessThan(at.events);
    expect(s.points.stopKinds()).toEqual(new Set(['map', 'dma', 'dev-op', 'swiotlb-map', 'swiotlb-unmap', 'swiotlb-sync', 'stale-tlb', 'fault', 'dev-done']));
  });

  it('a reverse-continue search can be interrupted without moving', async () => {
    const s = new Session(longDemo(3000), { sliceEvents: 10 });
    s.exec('break kind=dev-done where rounds=0');
    s.exec('continue');
    const at = s.events;
    const p = s.execAsync('reverse-continue', () => s.interrupt());
    const r = await p;
    expect(r.stop?.reason).toBe('interrupt');
    expect(r.lines[0]).toMatch(/^Search interrupted; still at event/);
    expect(s.events).toBe(at);
  });

  it('goto SEQ stops right after record SEQ, inside its event; goto @N after event N; bookmarks', () => {
    const s = new Session(longDemo(4));
    const stop = s.exec('goto 40').stop!;
    expect(stop).toMatchObject({ reason: 'step', at: 40, motion: 'goto' });
    expect(s.machine.state.traceCount).toBe(41);
    expect(s.recording.recordsAt(stop.events - 1)).toBeLessThanOrEqual(40);
    expect(s.recording.eventOf(40)).toBe(stop.events);
    // Halted: the machine is read-only until a motion restores it.
    expect(() => s.machine.step()).toThrow(/halted/);
    expect(s.exec('goto @2').stop?.events).toBe(2);
    s.exec('bookmark two');
    s.exec('goto 70');
    expect(s.exec('goto two').stop?.events).toBe(2);
    expect(s.exec('info bookmarks').lines).toEqual(['two              event 2']);
    expect(s.exec('goto nope').error?.message).toBe('no bookmark "nope"');
  });

  it('until SEQ and until TIME', () => {
    const s = new Session(longDemo(4));
    expect(s.exec('until 30').stop).toMatchObject({ at: 30, motion: 'until' });
    expect(s.machine.state.traceCount).toBe(31);
    s.exec('until 5us');
    expect(s.machine.state.now).toBeLessThan(5000);
    expect(s.exec('step').stop!.t).toBeGreaterThanOrEqual(5000);
  });
});

describe('running in slices', () => {
  it('execAsync yields between slices, reports progress, and interrupt() stops it', async () => {
    const s = new Session(longDemo(100_000), { sliceEvents: 500 });
    const seen: string[] = [];
    const off = s.subscribe((e) => seen.push(e.type));
    let slices = 0;
    const r = await s.execAsync('continue', () => {
      if (++slices === 3) s.interrupt();
    });
    off();
    expect(r.stop?.reason).toBe('interrupt');
    expect(r.stop!.events).toBeGreaterThanOrEqual(1500);
    expect(r.stop!.events).toBeLessThan(2100);
    expect(seen).toContain('running');
    expect(seen).toContain('progress');
    expect(seen.slice(-3)).toEqual(['output', 'stop', 'changed']);
    expect(s.view().state).toBe('stopped');
    // The journal keeps the interrupted position as a goto, so a replay lands there too.
    expect(s.journal[s.journal.length - 1]).toEqual({ line: `goto @${r.stop!.events}`, stop: { reason: 'step', events: r.stop!.events, t: r.stop!.t, motion: 'goto' } });
    const again = new Session(longDemo(100_000));
    expect(again.exec(`goto @${r.stop!.events}`).stop).toEqual(s.journal[s.journal.length - 1].stop);
  });

  it('refuses commands while running', async () => {
    const s = new Session(longDemo(100_000), { sliceEvents: 500 });
    const p = s.execAsync('continue');
    await new Promise((r) => setImmediate(r));
    expect(s.isRunning).toBe(true);
    expect(s.exec('step').error?.message).toMatch(/running/);
    s.interrupt();
    expect((await p).stop?.reason).toBe('interrupt');
  });
});

describe('the recording store', () => {
  it('keeps every line exactly across deflated chunks, in any read order', () => {
    const s = new Session(longDemo(1500));
    expect(s.exec('continue').stop?.reason).toBe('end');
    const m = longDemo(1500).machine;
    while (m.step());
    expect(s.recording.count).toBe(m.trace.count);
    expect(s.recording.bytes()).toBeLessThan(m.trace.bytes() / 2); // several 1 MiB chunks, deflated
    for (let i = 0; i < m.trace.count; i += 997) expect(s.recording.line(i)).toBe(m.trace.line(i));
    for (let i = m.trace.count - 1; i >= 0; i -= 1009) expect(s.recording.line(i)).toBe(m.trace.line(i));
    expect(s.recording.line(m.trace.count - 1)).toBe(m.trace.line(m.trace.count - 1));
    // Reverse motion deep into sealed chunks replays and checks against them.
    const v = s.recording.verified;
    s.exec('goto @1234');
    s.exec('step 700');
    expect(s.recording.verified).toBeGreaterThan(v);
  });
});
