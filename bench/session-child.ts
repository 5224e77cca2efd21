/**
 * Not a bench by itself: a debugger session as `dmadbg tui` or `run --commands` makes one
 * (recording spilled to a workspace), run to N events on the long demo, then reverse-step and
 * goto there. bench/scale.bench.ts runs it bundled, in a child process, so the peak RSS is the
 * session's alone. Prints one JSON line.
 *   session-child.ts EVENTS ff|records WORKSPACE
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Session } from '../src/debugger/session.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { openSpill } from '../src/store/spill.ts';
import { intBelow, prngFromSeed } from '../src/sim/core/prng.ts';

// The young generation bin/dmadbg.js starts every session with.
setFlagsFromString('--max-semi-space-size=2');
setFlagsFromString('--semi-space-growth-factor=1');

const [eventsArg, mode, workspace] = process.argv.slice(2);
const N = Number(eventsArg);
const r = loadScenarioFile(join(import.meta.dirname, '..', 'scenarios', 'demo-dma-engine.json'));
if (!r.ok) throw new Error('demo scenario invalid');
const built = buildMachine({ ...r.scenario, devices: r.scenario.devices.map((d) => ({ ...d, repeat: 10_000_000 })), limits: { ...r.scenario.limits, maxEvents: 1e9 } });
const spill = openSpill(workspace);
const s = new Session(built, { spill, fastForward: mode !== 'records' });
const t0 = performance.now();
while (s.events < N) {
  const st = s.exec(`step ${Math.min(100_000, N - s.events)}`).stop;
  if (st?.reason !== 'step') throw new Error(`stopped early: ${JSON.stringify(st)}`);
}
const wallS = (performance.now() - t0) / 1000;
const ms = (cmd: string) => {
  const a = performance.now();
  const res = s.exec(cmd);
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  return performance.now() - a;
};
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
const p = prngFromSeed(7);
const rstep: number[] = [];
const gotoEvent: number[] = [];
const gotoRecord: number[] = [];
for (let i = 0; i < 7; i++) {
  s.exec(`goto @${N}`);
  rstep.push(ms('reverse-step 1'));
  gotoEvent.push(ms(`goto @${intBelow(p, N)}`));
  gotoRecord.push(ms(`goto ${intBelow(p, s.machine.state.traceCount + 1000)}`));
}
const view = ms('info recording'); // reads records near the position: fills a gap after a fast-forward
process.stdout.write(
  JSON.stringify({
    wallS,
    reverseStepMs: median(rstep),
    gotoEventMs: median(gotoEvent),
    gotoRecordMs: median(gotoRecord),
    viewMs: view,
    records: s.recording.count,
    diskMb: spill.diskBytes() / 2 ** 20,
    heldMb: (s.recording.bytes() + s.checkpoints.memoryBytes) / 2 ** 20,
    checkpoints: s.checkpoints.count,
    interval: s.checkpoints.interval,
  }) + '\n',
);
