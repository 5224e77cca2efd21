/**
 * Checkpoints spaced by replay cost and bounded by bytes: reverse motion replays at most
 * `interval` events or about `records` records wherever it lands, and the snapshots never
 * take more than their budget, however long the run.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { loadScenario } from '../helpers/scenario.ts';

function longDemo(repeat: number) {
  const sc = loadScenario('demo-dma-engine');
  return buildMachine({ ...sc, devices: sc.devices.map((d) => ({ ...d, repeat })) });
}

/** Events and records between consecutive snapshots. */
function gaps(s: Session): { events: number; records: number }[] {
  const ev = s.checkpoints.events();
  return ev.slice(1).map((e, i) => ({ events: e - ev[i], records: s.recording.recordsAt(e) - s.recording.recordsAt(ev[i]) }));
}

describe('checkpoints', () => {
  it('take a snapshot once the records since the last reach the spacing, before the events do', () => {
    // The demo emits ~5.7 records per event: 600 records come after ~105 events.
    const s = new Session(longDemo(500), { checkpoints: { interval: 10_000, records: 600 }, fastForward: false });
    s.exec('step 900');
    const g = gaps(s);
    expect(g.length).toBeGreaterThan(5);
    for (const x of g) {
      expect(x.records).toBeGreaterThanOrEqual(600);
      expect(x.records).toBeLessThan(600 + 20); // the event that crossed the line ends the stretch
      expect(x.events).toBeLessThan(200);
    }
  });

  it('take one every `interval` events when events emit few records', () => {
    const s = new Session(longDemo(500), { checkpoints: { interval: 50, records: 1_000_000 }, fastForward: false });
    s.exec('step 900');
    for (const x of gaps(s)) expect(x.events).toBe(50);
  });

  it('space four times wider while fast-forwarding (a stretch is replayed only when looked at)', () => {
    const s = new Session(longDemo(500), { checkpoints: { interval: 50, records: 1_000_000 } });
    s.exec('step 900');
    for (const x of gaps(s)) expect(x.events).toBe(200);
    // Looking there replays it: the records read back are those of a plain run.
    const plain = new Session(longDemo(500), { fastForward: false });
    plain.exec('step 900');
    for (const seq of [5000, 3, 2500]) expect(s.recording.line(seq)).toBe(plain.recording.line(seq));
  });

  it('stay within the byte budget: the spacing doubles, the stretches stay even', () => {
    const budget = 40 * 1024;
    const s = new Session(longDemo(5000), { checkpoints: { interval: 16, records: 100, budgetBytes: budget }, fastForward: false });
    s.exec('step 8000');
    const c = s.checkpoints;
    expect(c.totalBytes).toBeLessThanOrEqual(budget);
    expect(c.count).toBeGreaterThanOrEqual(16);
    expect(c.interval).toBeGreaterThan(16);
    expect(c.events()[0]).toBe(0);
    // Every stretch is within the current spacing (plus the event that crossed it).
    const tooLong = gaps(s).filter((x) => x.events > c.interval || x.records > c.records + 20);
    expect(tooLong).toEqual([]);
    // And reverse motion anywhere lands exactly.
    for (const target of [7999, 4321, 17]) expect(s.exec(`goto @${target}`).stop?.events).toBe(target);
  });

  it('are not taken again while replaying recorded events', () => {
    const s = new Session(longDemo(500), { checkpoints: { interval: 32 } });
    s.exec('step 600');
    const before = s.checkpoints.events();
    s.exec('goto @10');
    s.exec('step 500');
    expect(s.checkpoints.events()).toEqual(before);
  });
});
