/**
 * Not a bench: profile a script and print where its time went (self and total per function,
 * with source lines). The script is bundled with esbuild first (not minified, so names and
 * lines are the sources'), run under `node --cpu-prof`, and the profile summarised by
 * bench/prof-top.ts:
 *   npx tsx bench/profile.ts bench/profile-traced.ts [script args]
 *   npx tsx bench/profile.ts bench/profile-bench.ts 'IOTLB hit'   (one bench by name)
 * PROF_ROWS=N changes the number of rows; the .cpuprofile stays in the printed directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundled } from './spawn.ts';

const [script, ...args] = process.argv.slice(2);
if (!script) throw new Error('usage: npx tsx bench/profile.ts SCRIPT.ts [args]');
const dir = mkdtempSync(join(tmpdir(), 'dmadbg-prof-'));
// Next to the benches, so their paths relative to import.meta.url (../scenarios) hold.
const out = join(import.meta.dirname, `.profile-${process.pid}.mjs`);
await bundled(resolve(script), out);
try {
  execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, out, ...args], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  const prof = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  console.log(`profile: ${join(dir, prof)}`);
  execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'prof-top.ts'), join(dir, prof), process.env.PROF_ROWS ?? '25'], { stdio: 'inherit' });
} finally {
  rmSync(out, { force: true });
}
