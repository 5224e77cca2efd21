/** Runs every bench/*.bench.ts (or those whose file name contains argv[2]) and prints figures. */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Bench, fmt, median } from './harness.ts';

process.env.NODE_ENV = 'production';
const dir = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`node ${process.version}, ${files.length} bench files${filter ? ` matching "${filter}"` : ''}; load average ${load()} (1, 5, 15 min)${process.env.BENCH_CLOCK === 'cpu' ? '; rates per CPU-second' : ''}`);
console.log(`${'benchmark'.padEnd(58)} ${'min'.padStart(9)} ${'median'.padStart(9)} ${'max'.padStart(9)}  unit          target`);
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { benches: Bench[] };
  for (const b of mod.benches) {
    const samples: number[] = [];
    for (let i = 0; i < (b.samples ?? 5); i++) samples.push(await b.sample());
    const med = median(samples);
    const row = `${b.name.padEnd(58)} ${fmt(Math.min(...samples)).padStart(9)} ${fmt(med).padStart(9)} ${fmt(Math.max(...samples)).padStart(9)}  ${b.unit.padEnd(13)} ${b.target ?? ''}${b.note ? `  ${b.note(med)}` : ''}`;
    console.log(row.trimEnd());
  }
}
console.log(`load average at the end: ${load()}`);
