/**
 * Runs every bench/*.bench.ts (or those whose file name contains argv[2]) and prints figures.
 *
 * Each file runs in a process of its own, as a dmadbg command runs one scenario: in one
 * shared process, the models of earlier files left V8's type feedback polymorphic on paths
 * that later files share (dispatch, emit, memory), and a figure depended on which files ran
 * before it (VT-d IOTLB hit 28.9 M/s after the other files, 45 M/s alone). Yardsticks
 * (bench/baseline.ts) are measured in the process of the file that quotes them.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Bench, fmt, median } from './harness.ts';

process.env.NODE_ENV = 'production';
const dir = dirname(fileURLToPath(import.meta.url));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The rows of one bench file, in this process. */
async function runFile(f: string): Promise<void> {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { benches: Bench[] };
  for (const b of mod.benches) {
    const samples: number[] = [];
    for (let i = 0; i < (b.samples ?? 5); i++) samples.push(await b.sample());
    const med = median(samples);
    const row = `${b.name.padEnd(58)} ${fmt(Math.min(...samples)).padStart(9)} ${fmt(med).padStart(9)} ${fmt(Math.max(...samples)).padStart(9)}  ${b.unit.padEnd(13)} ${b.target ?? ''}${b.note ? `  ${b.note(med)}` : ''}`;
    console.log(row.trimEnd());
  }
}

if (process.argv[2] === '--file') {
  await runFile(process.argv[3]);
} else {
  const filter = process.argv[2] ?? '';
  const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
  console.log(`node ${process.version}, ${files.length} bench files${filter ? ` matching "${filter}"` : ''}, each in its own process; load average ${load()} (1, 5, 15 min)${process.env.BENCH_CLOCK === 'cpu' ? '; rates per CPU-second' : ''}`);
  console.log(`${'benchmark'.padEnd(58)} ${'min'.padStart(9)} ${'median'.padStart(9)} ${'max'.padStart(9)}  unit          target`);
  let failed = 0;
  for (const f of files) {
    // The same node and loader (tsx) as this process; rows stream to this stdout.
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--file', f], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
    if (r.status !== 0) {
      failed++;
      console.log(`${f}: failed (${r.signal ?? `exit ${r.status}`}); its rows above are all it printed`);
    }
  }
  console.log(`load average at the end: ${load()}`);
  if (failed) process.exitCode = 1;
}
