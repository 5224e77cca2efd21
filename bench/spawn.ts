/**
 * Running dmadbg (or a bundled bench script) as a user does, for the benches that measure a
 * whole process: wall time from spawn to exit and peak RSS (bench/rss-probe.mjs reports it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROBE = join(ROOT, 'bench', 'rss-probe.mjs');

export interface Ran {
  readonly wallMs: number;
  readonly rssMb: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Run `node [script] args` (stdout kept only when `keep`), measuring wall time and peak RSS. */
export function runNode(script: string, args: readonly string[], opts: { keep?: boolean; env?: Record<string, string> } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['--import', PROBE, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', DMADBG_WORKSPACE: scratchDir(), ...opts.env },
      stdio: ['ignore', opts.keep ? 'pipe' : 'ignore', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const m = /rss-probe maxrss_kb=(\d+)/.exec(err);
      if (!m) return reject(new Error(`no RSS figure from ${script} ${args.join(' ')} (exit ${code}):\n${err.slice(-2000)}`));
      resolve({ wallMs, rssMb: Number(m[1]) / 1024, stdout: out, stderr: err, code: code ?? -1 });
    });
  });
}

/** dmadbg as installed: bin/dmadbg.js (the bundle in dist/, rebuilt first when stale). */
export const DMADBG = join(ROOT, 'bin', 'dmadbg.js');

let scratch: string | undefined;
/** A temporary directory for this bench process (workspace, scenario files). */
export function scratchDir(): string {
  return (scratch ??= mkdtempSync(join(tmpdir(), 'dmadbg-bench-')));
}

/** Write a scenario document to the scratch directory; returns its path. */
export function writeScenario(name: string, doc: object): string {
  const file = join(scratchDir(), `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/**
 * A bench script (relative to the package root, or absolute) bundled for plain node (no tsx
 * in the process, so its RSS is dmadbg's), into the scratch directory unless `out` is given.
 */
export async function bundled(script: string, out = join(scratchDir(), script.replace(/[/\\]/g, '_').replace(/\.tsx?$/, '.mjs'))): Promise<string> {
  const entry = resolve(ROOT, script);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    external: ['ssh2', 'chalk', 'react-devtools-core', '@lydell/node-pty', 'esbuild'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    define: { 'import.meta.dirname': JSON.stringify(dirname(entry)) },
    logLevel: 'warning',
  });
  return out;
}
