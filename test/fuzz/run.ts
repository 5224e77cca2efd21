/**
 * The fuzz campaign outside the test suite:
 *   npx tsx test/fuzz/run.ts [--scenarios N] [--commands N] [--seed S] [--workers W]
 * prints the tally per outcome and every failure with its seed and input.
 */
import { scenarioCases, commandCases, summarize } from './cases.ts';
import { runPool } from './pool.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

const seed = arg('seed', 1);
const workers = arg('workers', 2);
const t0 = Date.now();
const sc = scenarioCases(arg('scenarios', 10_000), seed);
const cc = commandCases(arg('commands', 2_000), seed);
const sr = await runPool(sc.cases, { workers });
console.log(summarize('scenario mutations', sc, sr));
const cr = await runPool(cc.cases, { workers });
console.log(summarize('command files', cc, cr));
console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s`);
