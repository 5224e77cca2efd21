/**
 * The debugger at a million events: the demo scenario with a huge repeat, run to event
 * 1,000,000 in a Session (trace recorded, checkpoints kept); then `reverse-step 1` there,
 * `goto` to random events, record-level motion inside an event there (`goto SEQ` to a
 * mid-event record, `reverse-stepi` from one: restore, replay, halt), and the memory it all
 * takes. Targets from the issues: < 100 ms per event motion, < 50 ms per record motion,
 * < 300 MB for the session.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bench, median } from './harness.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { Session } from '../src/debugger/session.ts';
import { prngFromSeed, intBelow } from '../src/sim/core/prng.ts';

const SCEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const EVENTS = 1_000_000;

function longDemo() {
  const r = loadScenarioFile(join(SCEN, 'demo-dma-engine.json'));
  if (!r.ok) throw new Error('demo scenario invalid');
  return buildMachine({ ...r.scenario, devices: r.scenario.devices.map((d) => ({ ...d, repeat: 1_000_000 })) });
}

const mb = (n: number) => n / 2 ** 20;
let session: Session | undefined;
let figures: { runS: number; rssMb: number; heapMb: number; peakRssMb: number } | undefined;

/** Build the session once: run to EVENTS in 10k-event steps, sampling the peak RSS. */
function getSession(): Session {
  if (session) return session;
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const s = new Session(longDemo());
  let peak = rss0;
  const t0 = process.hrtime.bigint();
  while (s.events < EVENTS) {
    const r = s.exec(`step ${Math.min(10_000, EVENTS - s.events)}`);
    if (r.error || r.stop?.reason === 'end') throw new Error(`ended early: ${r.lines.join(' ')}`);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const runS = Number(process.hrtime.bigint() - t0) / 1e9;
  globalThis.gc?.();
  const m = process.memoryUsage();
  figures = { runS, rssMb: mb(m.rss - rss0), heapMb: mb(m.heapUsed + m.arrayBuffers - heap0), peakRssMb: mb(peak - rss0) };
  console.log(
    `  session at ${EVENTS} events: ${s.recording.count} records, trace ${mb(s.recording.bytes()).toFixed(0)} MiB, ` +
      `${s.checkpoints.count} checkpoints every ${s.checkpoints.interval} events (~${Math.round(s.checkpoints.snapshotBytes / 1024)} KiB each)`,
  );
  session = s;
  return s;
}

function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const prng = prngFromSeed(42);

export const benches: Bench[] = [
  {
    name: 'debugger: run to event 1,000,000 (demo, huge repeat)',
    unit: 's',
    samples: 1,
    sample: () => (getSession(), figures!.runS),
  },
  {
    name: 'debugger: peak RSS growth of a 1,000,000-event session',
    unit: 'MB',
    samples: 1,
    target: '< 300',
    sample: () => (getSession(), figures!.peakRssMb),
  },
  {
    name: 'debugger: heap + array buffers of that session',
    unit: 'MB',
    samples: 1,
    target: '< 300',
    sample: () => (getSession(), figures!.heapMb),
  },
  {
    name: 'debugger: reverse-step 1 at event 1,000,000',
    unit: 'ms',
    samples: 7,
    target: '< 100',
    sample: () => {
      const s = getSession();
      s.exec(`goto @${EVENTS}`);
      return timeMs(() => {
        const r = s.exec('reverse-step 1');
        if (r.stop?.events !== EVENTS - 1) throw new Error(r.lines.join('\n'));
      });
    },
  },
  {
    name: 'debugger: goto a random event (of 1,000,000)',
    unit: 'ms',
    samples: 15,
    target: '< 100',
    sample: () => {
      const s = getSession();
      const target = intBelow(prng, EVENTS);
      return timeMs(() => {
        const r = s.exec(`goto @${target}`);
        if (r.stop?.events !== target) throw new Error(r.lines.join('\n'));
      });
    },
  },
];

/** A record in the middle of event `e` (its records are [recordsAt(e-1), recordsAt(e))). */
function midRecord(s: Session, e: number): number {
  const from = s.recording.recordsAt(e - 1);
  const to = s.recording.recordsAt(e);
  if (to - from < 3) throw new Error(`event ${e} has ${to - from} records: no middle`);
  return from + ((to - from) >> 1);
}

benches.push(
  {
    name: 'debugger: goto a mid-event record of event 1,000,000',
    unit: 'ms',
    samples: 9,
    target: '< 50',
    sample: () => {
      const s = getSession();
      // The last event with a middle record, from just after the whole run.
      let e = EVENTS;
      while (s.recording.recordsAt(e) - s.recording.recordsAt(e - 1) < 3) e--;
      const seq = midRecord(s, e);
      s.exec(`goto @${EVENTS}`);
      return timeMs(() => {
        const r = s.exec(`goto ${seq}`);
        if (r.stop?.at !== seq || r.stop.events !== e) throw new Error(r.lines.join('\n'));
      });
    },
  },
  {
    name: 'debugger: reverse-stepi from a mid-event record there',
    unit: 'ms',
    samples: 9,
    target: '< 50',
    sample: () => {
      const s = getSession();
      let e = EVENTS;
      while (s.recording.recordsAt(e) - s.recording.recordsAt(e - 1) < 3) e--;
      const seq = midRecord(s, e);
      s.exec(`goto ${seq}`);
      return timeMs(() => {
        const r = s.exec('reverse-stepi');
        if (r.stop?.at !== seq - 1) throw new Error(r.lines.join('\n'));
      });
    },
  },
  {
    name: 'debugger: goto a random record (of 5.7 M, mid-event mostly)',
    unit: 'ms',
    samples: 15,
    target: '< 50',
    sample: () => {
      const s = getSession();
      const seq = intBelow(prng, s.recording.count);
      return timeMs(() => {
        const r = s.exec(`goto ${seq}`);
        if (r.stop?.at !== seq) throw new Error(r.lines.join('\n'));
      });
    },
  },
);

export { median };
