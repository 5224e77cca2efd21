#!/usr/bin/env node
// Runs the bundle in dist/ that `npm install` builds (scripts/build.mjs). When a file in src/
// is newer than the bundle it rebuilds first, so an edited source is always what runs; if it
// cannot build (no esbuild), it runs src/ through tsx instead.
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { buildDist, freshEntry } from '../scripts/build.mjs';

// A small young generation that does not grow (V8 grows its semi-spaces up to 16 MiB, and a
// limit set at run time holds only with the growth factor at 1): records live for one event,
// so a small nursery costs no CPU and keeps a long run's peak RSS flat (1e6 demo events,
// `run --json`: ~77 MB instead of 140-160 MB, same user time). NODE_OPTIONS can still say otherwise.
if (!`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('semi-space')) {
  setFlagsFromString('--max-semi-space-size=2');
  setFlagsFromString('--semi-space-growth-factor=1');
}

let entry = freshEntry();
if (!entry) {
  try {
    entry = (await buildDist()).entry;
  } catch (e) {
    const why = String(e instanceof Error ? e.message : e).split('\n')[0];
    process.stderr.write(`dmadbg: could not build dist/ (${why}); running src/ through tsx\n`);
  }
}
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
