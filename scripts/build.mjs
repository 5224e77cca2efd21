// The compiled start: bundles src/cli/main.ts with esbuild into dist/, which bin/dmadbg.js
// runs. `npm install` builds it (the `prepare` script: `node scripts/build.mjs`); bin/dmadbg.js
// rebuilds it before running whenever a source is newer than the bundle, so what runs is
// always the code in src/.
//
// Code splitting keeps the CLI's lazy imports lazy (`run` never loads Ink, `list` never loads
// the simulator). Everything is bundled (Node then parses a few large files instead of
// resolving ~500 small ones and scanning React's CommonJS for exports) except: ssh2 (native
// crypto), chalk (src/ssh/server.ts sets the colour level on the chalk it finds next to Ink in
// node_modules, so Ink must use that same one) and react-devtools-core (Ink's optional dev
// tooling, not installed).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = 'dist';
export const ENTRY = 'main.js';

const EXTERNAL = ['ssh2', 'chalk', 'react-devtools-core'];
/** Files outside src/ whose change means a rebuild. */
const CONFIG = ['package.json', 'tsconfig.json', 'scripts/build.mjs'];

/** Newest modification time (ms) among the sources: src/ (files and folders) and CONFIG. */
export function newestSource(root = ROOT) {
  let newest = 0;
  const walk = (dir) => {
    newest = Math.max(newest, statSync(dir).mtimeMs); // a deleted file changes its folder
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(root, 'src'));
  for (const f of CONFIG) if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

/** The bundle's entry, or null when it is missing or older than a source. */
export function freshEntry(root = ROOT) {
  const entry = join(root, DIST, ENTRY);
  if (!existsSync(entry)) return null;
  return statSync(entry).mtimeMs >= newestSource(root) ? entry : null;
}

/**
 * zod's namespace re-exports every locale (`z.locales`), ~60% of the zod bundle; dmadbg
 * uses the default (en) only, so z.locales carries just en.
 */
const zodLocalesEnOnly = {
  name: 'zod-locales-en-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (a) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(a.importer) ? { path: join(dirname(a.importer), a.path), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(a.path), 'en.js'))};`,
      loader: 'js',
      resolveDir: dirname(a.path),
    }));
  },
};

/**
 * yargs and its cliui import string-width, strip-ansi and wrap-ansi for help text only, and
 * string-width's module init builds an Intl.Segmenter and Unicode-property regexes (ICU
 * loads: ~40 ms of every `dmadbg run`). Their imports from yargs and cliui go through a shim
 * that loads the package at its first call; Ink still imports the packages themselves.
 */
const LAZY_FOR_YARGS = ['string-width', 'strip-ansi', 'wrap-ansi'];
export const lazyForYargs = {
  name: 'lazy-for-yargs',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_FOR_YARGS.join('|')})$`);
    b.onResolve({ filter }, async (a) => {
      if (a.pluginData === 'real' || !/[\\/]node_modules[\\/](yargs|cliui)[\\/]/.test(a.importer)) return undefined;
      const real = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: 'real' });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-for-yargs' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-for-yargs' }, (a) => ({
      // esbuild turns a require() of a bundled ES module into a lazy init of that module.
      contents: `export default function lazy(...args) { return require(${JSON.stringify(a.path)}).default(...args); }`,
      loader: 'js',
      resolveDir: dirname(a.path),
    }));
  },
};

/**
 * Yoga (Ink's layout engine) carries its wasm inline as a base64 data: URL, and its
 * Emscripten loader reads that URL with fetch() whenever fetch exists. In Node that first
 * fetch loads undici (~40 ms of every TUI start) to decode a string the loader can decode
 * itself: its no-fetch path does so synchronously. The bundle takes that path. If Yoga's
 * loader ever changes shape, the file is bundled as it is.
 */
const FETCH_TEST = '"function"!=typeof fetch';
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      if (text.split(FETCH_TEST).length !== 3) return undefined;
      return { contents: text.replaceAll(FETCH_TEST, 'true'), loader: 'js' };
    });
  },
};

/** Write a file whole or not at all: another dmadbg may be reading dist/ right now. */
function writeAtomic(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Bundle into dist/. Chunk names carry a content hash and are written before the entry, so a
 * dmadbg still running the previous build keeps finding its chunks; `clean` (the install-time
 * build) starts from an empty dist/.
 */
export async function buildDist({ root = ROOT, clean = false } = {}) {
  const { build } = await import('esbuild');
  const out = join(root, DIST);
  const r = await build({
    absWorkingDir: root,
    // The swarm's worker threads start from their own entry (src/cli/swarm/pool.ts finds it).
    entryPoints: { main: 'src/cli/main.ts', 'swarm-worker': 'src/cli/swarm/worker.ts' },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: EXTERNAL,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS (React, yargs' helpers) still calls require for Node built-ins.
    banner: { js: "import { createRequire as __dmadbgRequire } from 'node:module'; const require = __dmadbgRequire(import.meta.url);" },
    // The bundle is what users run, and every path that loads React asks for its production
    // build (tui, serve): folding NODE_ENV drops React's and the reconciler's development
    // builds from the bundle, which Node otherwise parses at every TUI start.
    // The commands still set NODE_ENV at run time for src/ run through tsx (tests, no esbuild).
    define: { 'process.env.NODE_ENV': '"production"' },
    logOverride: { 'assign-to-define': 'silent' },
    plugins: [zodLocalesEnOnly, lazyForYargs, yogaWithoutFetch],
    write: false,
    logLevel: 'warning',
  });
  if (clean) rmSync(out, { recursive: true, force: true });
  const entry = join(out, ENTRY);
  const files = r.outputFiles.filter((f) => f.path !== entry);
  for (const f of files) writeAtomic(f.path, f.contents);
  const main = r.outputFiles.find((f) => f.path === entry);
  writeAtomic(entry, main.contents);
  return { entry, files: r.outputFiles.length, bytes: r.outputFiles.reduce((n, f) => n + f.contents.length, 0) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const { entry, files, bytes } = await buildDist({ clean: true });
  const ms = Math.round(performance.now() - t0);
  console.log(`dmadbg: built ${relative(ROOT, entry)} (${files} files, ${Math.round(bytes / 1024)} KiB) in ${ms} ms`);
}
