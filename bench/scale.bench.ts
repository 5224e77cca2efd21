/**
 * Growth with run length: 1e4, 1e5, 1e6 and 1e7 events of the long demo (SCALE_MAX lowers the
 * top), each in a fresh process:
 *
 * - headless: `dmadbg run demo-long --json --max-events N > /dev/null` (the installed CLI):
 *   wall time and peak RSS, which must stay flat (the trace streams);
 * - debugger session (recording spilled to a workspace, fast-forward on, as `continue` with
 *   no breakpoint runs): wall time, peak RSS, and reverse-step / goto latency at N;
 * - the same session building every record (fastForward off, as under a breakpoint that
 *   matches any record): to 1e6 events (SCALE_RECORDS_MAX), peak RSS and latency.
 *
 * Issue 19's goals: headless and session RSS <= 150 MB at any length (1e6 for the session),
 * bounded beyond; reverse-step / goto <= 50 ms at 1e7 events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench } from './harness.ts';
import { DMADBG, ROOT, bundled, runNode, scratchDir, writeScenario } from './spawn.ts';

const SIZES = [1e4, 1e5, 1e6, 1e7].filter((n) => n <= Number(process.env.SCALE_MAX ?? 1e7));
const RECORDS_MAX = Number(process.env.SCALE_RECORDS_MAX ?? 1e6);
const fmtN = (n: number) => `1e${Math.log10(n)}`;

let longDemo: string | undefined;
/** The demo with devices repeating (almost) forever: `--max-events` cuts each run. */
function demoLong(): string {
  if (longDemo) return longDemo;
  const doc = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'demo-dma-engine.json'), 'utf8')) as { devices: object[]; $schema?: string };
  delete doc.$schema;
  return (longDemo = writeScenario('demo-long', { ...doc, name: 'demo-long', devices: doc.devices.map((d) => ({ ...d, repeat: 10_000_000 })), limits: { maxEvents: 1e9 } }));
}

const headless = new Map<number, Promise<{ wallS: number; rssMb: number }>>();
function runHeadless(n: number) {
  let p = headless.get(n);
  if (!p) {
    p = runNode(DMADBG, ['run', demoLong(), '--json', '--max-events', String(n)]).then((r) => {
      if (r.code !== 0) throw new Error(`run exited ${r.code}: ${r.stderr.slice(-500)}`);
      return { wallS: r.wallMs / 1000, rssMb: r.rssMb };
    });
    headless.set(n, p);
  }
  return p;
}

interface SessionFigures {
  wallS: number;
  rssMb: number;
  reverseStepMs: number;
  gotoEventMs: number;
  gotoRecordMs: number;
  viewMs: number;
  diskMb: number;
  heldMb: number;
  checkpoints: number;
  interval: number;
}
let child: Promise<string> | undefined;
const sessions = new Map<string, Promise<SessionFigures>>();
function runSession(n: number, mode: 'ff' | 'records') {
  const key = `${n} ${mode}`;
  let p = sessions.get(key);
  if (!p) {
    p = (async () => {
      const script = await (child ??= bundled('bench/session-child.ts'));
      const r = await runNode(script, [String(n), mode, scratchDir()], { keep: true });
      if (r.code !== 0) throw new Error(`session child exited ${r.code}: ${r.stderr.slice(-800)}`);
      return { ...(JSON.parse(r.stdout) as Omit<SessionFigures, 'rssMb'>), rssMb: r.rssMb };
    })();
    sessions.set(key, p);
  }
  return p;
}

export const benches: Bench[] = [];
for (const n of SIZES) {
  benches.push(
    { name: `scale ${fmtN(n)}: headless run --json, wall`, unit: 's', samples: 1, sample: async () => (await runHeadless(n)).wallS, note: (s) => `${Math.round(n / s / 1000)}k events/s` },
    { name: `scale ${fmtN(n)}: headless run --json, peak RSS`, unit: 'MB', samples: 1, target: '<= 150', sample: async () => (await runHeadless(n)).rssMb },
  );
}
for (const n of SIZES) {
  const f = () => runSession(n, 'ff');
  benches.push(
    { name: `scale ${fmtN(n)}: session (fast-forward), run to N, wall`, unit: 's', samples: 1, sample: async () => (await f()).wallS, note: (s) => `${Math.round(n / s / 1000)}k events/s` },
    { name: `scale ${fmtN(n)}: session (fast-forward), peak RSS`, unit: 'MB', samples: 1, target: n <= 1e6 ? '<= 150' : 'bounded', sample: async () => (await f()).rssMb },
    { name: `scale ${fmtN(n)}: session, reverse-step 1 at N`, unit: 'ms', samples: 1, target: '<= 50', sample: async () => (await f()).reverseStepMs },
    { name: `scale ${fmtN(n)}: session, goto a random event`, unit: 'ms', samples: 1, target: '<= 50', sample: async () => (await f()).gotoEventMs },
    { name: `scale ${fmtN(n)}: session, goto a random record`, unit: 'ms', samples: 1, target: '<= 50', sample: async () => (await f()).gotoRecordMs },
    {
      name: `scale ${fmtN(n)}: session, memory held by the recording`,
      unit: 'MB',
      samples: 1,
      sample: async () => (await f()).heldMb,
      note: () => '(see the next row for disk)',
    },
    { name: `scale ${fmtN(n)}: session, spill file on disk`, unit: 'MB', samples: 1, sample: async () => (await f()).diskMb },
  );
}
for (const n of SIZES.filter((x) => x <= RECORDS_MAX)) {
  const f = () => runSession(n, 'records');
  benches.push(
    { name: `scale ${fmtN(n)}: session (every record built), wall`, unit: 's', samples: 1, sample: async () => (await f()).wallS },
    { name: `scale ${fmtN(n)}: session (every record built), peak RSS`, unit: 'MB', samples: 1, target: '<= 150', sample: async () => (await f()).rssMb },
    { name: `scale ${fmtN(n)}: that session, spill file on disk`, unit: 'MB', samples: 1, sample: async () => (await f()).diskMb },
    { name: `scale ${fmtN(n)}: that session, reverse-step 1 at N`, unit: 'ms', samples: 1, target: '<= 50', sample: async () => (await f()).reverseStepMs },
  );
}
