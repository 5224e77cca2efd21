/**
 * Fast-forward: forward motion past the recording builds no records nothing needs, and the
 * recording fills the gap by replaying when a record there is read. What a user must not be
 * able to tell: the machine state after any motion, every record read back, and every stop
 * are those of a session that built every record.
 */
import { readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { SCENARIOS, build, loadScenario } from '../helpers/scenario.ts';

const BUILT_IN = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.json') && f !== 'schema.json')
  .map((f) => f.replace(/\.json$/, ''));

/** Machine states compared deeply (node's comparison memcmps typed arrays: large memories stay quick). */
const sameState = (a: object, b: object) => expect(isDeepStrictEqual(a, b)).toBe(true);

function allLines(s: Session): string[] {
  return Array.from({ length: s.machine.state.traceCount }, (_, i) => s.recording.line(i));
}

function longDemo(repeat: number) {
  const sc = loadScenario('demo-dma-engine');
  return buildMachine({ ...sc, devices: sc.devices.map((d) => ({ ...d, repeat })) });
}

describe('a fast-forwarded run is the run', () => {
  it.each(BUILT_IN)('%s: continue to the end, then every record and the final state equal a plain run', (name) => {
    const s = new Session(build(name), { checkpoints: { interval: 16 } });
    const stop = s.exec('continue').stop;
    const m = build(name).machine;
    while (m.state.events < s.maxEvents && m.step()) {
      /* plain run */
    }
    expect(stop?.events).toBe(m.state.events);
    sameState(s.machine.state, m.state);
    // Read newest first, as the timeline does: every gap is filled by replaying.
    const plain = Array.from({ length: m.trace.count }, (_, i) => m.trace.line(i));
    const read: string[] = [];
    for (let i = plain.length - 1; i >= 0; i--) read[i] = s.recording.line(i);
    expect(read).toEqual(plain);
    // Filling put the machine back where it was.
    sameState(s.machine.state, m.state);
  });

  it('skips records it does not need and fills them only when read', () => {
    const s = new Session(longDemo(200), { checkpoints: { interval: 16 } });
    s.exec('step 300');
    expect(s.machine.state.traceCount).toBeGreaterThan(1000);
    expect(s.recording.holds(10)).toBe(false); // fast-forwarded over
    const fills = s.recording.fills;
    expect(s.recording.get(10).seq).toBe(10);
    expect(s.recording.fills).toBe(fills + 1);
    expect(s.recording.holds(10)).toBe(true);
    const plain = new Session(longDemo(200), { fastForward: false });
    plain.exec('step 300');
    expect(allLines(s)).toEqual(allLines(plain));
  });

  it('stops at the same records as a session that builds every record, and shows them', () => {
    const specs = ['break kind=dma where dev=dma32', 'break kind=dev-op where op=copy', 'watch pa 0x40004000..0x40005000', 'tbreak kind=unmap'];
    for (const spec of specs) {
      const fast = new Session(longDemo(50), { checkpoints: { interval: 8 } });
      const slow = new Session(longDemo(50), { fastForward: false });
      fast.exec('step 40'); // a stretch fast-forwarded first, then points
      slow.exec('step 40');
      fast.exec(spec);
      slow.exec(spec);
      for (let i = 0; i < 4; i++) {
        const a = fast.exec('continue');
        const b = slow.exec('continue');
        expect(a.lines).toEqual(b.lines);
        expect(a.stop).toEqual(b.stop);
        expect(fast.machine.state).toEqual(slow.machine.state);
        expect(fast.view().trace).toEqual(slow.view().trace);
      }
    }
  });

  it('log points print on the way, as without fast-forward', () => {
    const run = (ff: boolean) => {
      const s = new Session(longDemo(20), { fastForward: ff });
      s.exec('log kind=dev-op "{dev} {op} sum={sum}"');
      return s.exec('continue').lines;
    };
    const lines = run(true);
    expect(lines.filter((l) => l.includes('sum=')).length).toBeGreaterThan(10);
    expect(lines).toEqual(run(false));
  });

  it('a checker that keeps state from records still sees them (the stale-TLB checker watches pte)', () => {
    const fast = new Session(build('mtk-missing-flush'));
    const slow = new Session(build('mtk-missing-flush'), { fastForward: false });
    fast.exec('continue');
    slow.exec('continue');
    expect(fast.machine.state).toEqual(slow.machine.state);
    const stale = (s: Session) => allLines(s).filter((l) => l.includes('"kind":"stale-tlb"'));
    expect(stale(fast).length).toBeGreaterThan(0);
    expect(stale(fast)).toEqual(stale(slow));
  });

  it('reverse motion and goto into a fast-forwarded stretch land on the recorded records', () => {
    const s = new Session(longDemo(100), { checkpoints: { interval: 32 } });
    s.exec('goto @150');
    const plain = new Session(longDemo(100), { fastForward: false });
    plain.exec('goto @150');
    for (const cmd of ['reverse-stepi', 'goto 333', 'reverse-step 7', 'stepi 3', 'goto @20', 'goto 900']) {
      const a = s.exec(cmd);
      const b = plain.exec(cmd);
      expect(a.stop).toEqual(b.stop);
      expect(a.lines).toEqual(b.lines);
      expect(s.machine.state).toEqual(plain.machine.state);
    }
  });
});
