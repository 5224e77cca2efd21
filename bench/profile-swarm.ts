/**
 * Not a bench: one swarm worker's loop in this thread (runSeed over a seed range, no pool),
 * for bench/profile.ts and for comparing per-seed cost without the pool:
 *   npx tsx bench/profile.ts bench/profile-swarm.ts [FILE] [seeds] [fail-on]
 */
import { loadFamily } from '../src/cli/swarm/family.ts';
import { seedRunner } from '../src/debugger/swarm/seed.ts';

const [file = 'mtk-swarm-flush', n = '4000', failOn = 'stale-tlb'] = process.argv.slice(2);
const fam = loadFamily(file);
const job = { raw: fam.raw, file: fam.file, settings: { failOn: failOn.split(',') } };
const seeds = Number(n);
const run = seedRunner(job);
const t0 = performance.now();
let fails = 0;
for (let s = 1; s <= seeds; s++) if (run(s).outcome === 'fail') fails++;
const secs = (performance.now() - t0) / 1000;
console.log(`${seeds} seeds (${fails} fail) in ${secs.toFixed(2)} s: ${Math.round(seeds / secs)} seeds/s`);
