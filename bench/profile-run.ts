/**
 * Not a bench: a headless run of a scenario file as `dmadbg run FILE --json > /dev/null` does
 * it (the lines drained in batches), for bench/profile.ts:
 *   npx tsx bench/profile.ts bench/profile-run.ts FILE [max events]
 */
import { loadScenarioFile } from '../src/scenario/load.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { runDrained } from './harness.ts';

const [file, maxArg] = process.argv.slice(2);
const r = loadScenarioFile(file);
if (!r.ok) throw new Error(`${file}: ${r.problems.map((p) => p.message).join('; ')}`);
const { machine: m } = buildMachine(r.scenario);
const max = Number(maxArg ?? Infinity);
const t0 = performance.now();
const c0 = process.cpuUsage();
const bytes = runDrained(m, max);
const s = (performance.now() - t0) / 1000;
// CPU time as well as wall: on a shared machine it moves less with the other processes' load.
const c = process.cpuUsage(c0);
const cpu = (c.user + c.system) / 1e6;
const rate = (n: number, per: number) => `${Math.round(n / per / 1000)}k`;
console.log(`${m.state.events} events, ${m.state.traceCount} records, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${s.toFixed(2)} s (cpu ${cpu.toFixed(2)} s): ${rate(m.state.events, s)} events/s, ${rate(m.state.traceCount, s)} records/s (per cpu s: ${rate(m.state.events, cpu)}, ${rate(m.state.traceCount, cpu)}); rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, buffers ${(process.memoryUsage().arrayBuffers / 2 ** 20).toFixed(0)} MiB`);
