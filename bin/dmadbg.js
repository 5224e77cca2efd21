#!/usr/bin/env node
// Runs the bundle in dist/ that `npm install` builds (scripts/build.mjs). When a file in src/
// is newer than the bundle it rebuilds first, so an edited source is always what runs; if it
// cannot build (no esbuild), it runs src/ through tsx instead.
import { pathToFileURL } from 'node:url';
import { buildDist, freshEntry } from '../scripts/build.mjs';

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
