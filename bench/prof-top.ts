/**
 * Not a bench: prints where a CPU profile's time went, by function (self time, and the
 * total of each function's subtree), from a `node --cpu-prof` file:
 *   npx tsx bench/prof-top.ts /tmp/prof/CPU.*.cpuprofile [rows]
 * PROF_LINES=fnName also prints the hottest source lines of that function (self time).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
const [file, rowsArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
/** An esbuild bundle (bench/profile.ts) marks each module with a `// path` line: name the module, not the bundle. */
const modules = new Map<string, { line: number; path: string }[]>();
function moduleOf(url: string, line: number): string | undefined {
  if (!url.startsWith('file://') || !url.endsWith('.mjs')) return undefined;
  let marks = modules.get(url);
  if (!marks) {
    marks = [];
    const text = readFileSync(new URL(url), 'utf8').split('\n');
    text.forEach((l, i) => {
      const m = /^\/\/ ((?:src|bench|node_modules)\/\S+)$/.exec(l);
      if (m) marks!.push({ line: i, path: m[1] });
    });
    modules.set(url, marks);
  }
  let best: string | undefined;
  for (const m of marks) if (m.line <= line) best = m.path;
  return best;
}
const label = (n: Node) => {
  const f = n.callFrame;
  const where = moduleOf(f.url, f.lineNumber) ?? `${f.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  return `${f.functionName || '(anonymous)'} ${where}`;
};
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
/** Subtree hits; a function counted once per path even when it recurses. */
function walk(n: Node, onPath: Set<string>): number {
  const l = label(n);
  let sum = n.hitCount;
  self.set(l, (self.get(l) ?? 0) + n.hitCount);
  all += n.hitCount;
  const fresh = !onPath.has(l);
  if (fresh) onPath.add(l);
  for (const c of n.children ?? []) sum += walk(byId.get(c)!, onPath);
  if (fresh) {
    onPath.delete(l);
    total.set(l, (total.get(l) ?? 0) + sum);
  }
  return sum;
}
walk(prof.nodes[0], new Set());
const rows = Number(rowsArg ?? 25);
const pct = (x: number) => `${((100 * x) / all).toFixed(1).padStart(5)}%`;
console.log('self time');
for (const [l, h] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`  ${pct(h)}  ${l}`);
console.log('total (self + callees)');
for (const [l, h] of [...total].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`  ${pct(h)}  ${l}`);

const fn = process.env.PROF_LINES;
if (fn) {
  const lines = new Map<string, number>();
  let url = '';
  for (const n of prof.nodes) {
    if (n.callFrame.functionName !== fn) continue;
    url = n.callFrame.url;
    for (const t of n.positionTicks ?? []) lines.set(`${url}:${t.line}`, (lines.get(`${url}:${t.line}`) ?? 0) + t.ticks);
  }
  const text = url.startsWith('file://') ? readFileSync(new URL(url), 'utf8').split('\n') : [];
  console.log(`hottest lines of ${fn}`);
  for (const [k, h] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    const line = Number(k.slice(k.lastIndexOf(':') + 1));
    console.log(`  ${pct(h)}  ${String(line).padStart(6)}  ${(text[line - 1] ?? '').trim().slice(0, 110)}`);
  }
}
