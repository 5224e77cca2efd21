/**
 * Not a bench: a debugger session on the long demo stepping N events (fast-forward on,
 * or off with "noff"), for bench/profile.ts:  npx tsx bench/profile.ts bench/profile-session.ts 200000 [noff]
 */
import { join } from 'node:path';
import { Session } from '../src/debugger/session.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';

const r = loadScenarioFile(join(import.meta.dirname, '..', 'scenarios', 'demo-dma-engine.json'));
if (!r.ok) throw new Error('demo scenario invalid');
const n = Number(process.argv[2] ?? 200_000);
const s = new Session(buildMachine({ ...r.scenario, devices: r.scenario.devices.map((d) => ({ ...d, repeat: 1_000_000 })) }), { fastForward: process.argv[3] !== 'noff' });
const t0 = performance.now();
s.exec(`step ${n}`);
console.log(`${n} events in ${(performance.now() - t0).toFixed(0)} ms; ${s.checkpoints.count} checkpoints`);
