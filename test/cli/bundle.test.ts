// The compiled start: `npm install` bundles src/ into dist/ (scripts/build.mjs) and
// bin/dmadbg.js runs that bundle, rebuilding it first when a source is newer. These tests run
// the bundle itself (not src/ through tsx) on the commands that load code lazily, and check
// the rule that decides when dist/ is stale.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runLines } from '../helpers/scenario.ts';
import { connect, makeKeys, openTui, type Screen } from '../ssh/helpers.ts';
// @ts-expect-error plain ESM build script, no types
import { buildDist, freshEntry } from '../../scripts/build.mjs';

type Fresh = (root?: string) => string | null;
const fresh = freshEntry as Fresh;

/** dist/main.js, built now if missing or stale (a developer may have edited src/). */
async function bundleEntry(): Promise<string> {
  return fresh() ?? ((await (buildDist as () => Promise<{ entry: string }>)()).entry);
}

function node(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundle in dist/', () => {
  it('runs the demo headless with the same trace as the sources', async () => {
    const entry = await bundleEntry();
    const r = node([entry, 'run', 'demo-dma-engine', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(runLines('demo-dma-engine'));
    // and bin/dmadbg.js finds it fresh, so it runs this bundle rather than rebuilding
    expect(fresh()).toBe(entry);
    const viaBin = node([join(ROOT, 'bin', 'dmadbg.js'), 'run', 'demo-dma-engine', '--json']);
    expect(viaBin.stdout).toBe(r.stdout);
  });

  it('loads the lazily imported commands: list, validate, info, a debugger script, serve --help', async () => {
    const entry = await bundleEntry();
    expect(node([entry, 'list']).stdout).toMatch(/^demo-dma-engine\s+v5\.4/m);
    expect(node([entry, 'validate', 'scenarios/mt8183-bus-sel.json'])).toMatchObject({ code: 0 });
    expect(node([entry, 'info', 'kernels']).stdout).toMatch(/mtk-driver/);
    const dir = mkdtempSync(join(tmpdir(), 'dmadbg-bundle-'));
    const cmds = join(dir, 'fault.cmds');
    writeFileSync(cmds, 'break fault\ncontinue\ninfo iommu\n');
    const dbg = node([entry, 'run', 'mt8183-bus-sel', '--commands', cmds, '--no-record']);
    expect(dbg.code).toBe(3);
    expect(dbg.stdout).toMatch(/larbid_remap \{0,4,5,6,7,2,3,1\} \+8 zero/);
    expect(node([entry, 'serve', '--help']).stdout).toMatch(/--ssh/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('what the TUI start loads from the bundle', () => {
  const chunks = async () => {
    const dir = join(await bundleEntry(), '..', 'chunks');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
  };

  it("carries React's production build only (the TUI asks for it; the development build is parsed at every start)", async () => {
    const all = await chunks();
    expect(all.some((t) => t.includes('react.transitional.element'))).toBe(true); // React is in the bundle
    // a warning only React's development reconciler has
    expect(all.filter((t) => t.includes('componentDidReceiveProps')).length, 'chunks with the development build').toBe(0);
  });

  it("decodes Yoga's inline wasm without fetch() (the first fetch loads undici: ~40 ms of a start)", async () => {
    const yoga = (await chunks()).filter((t) => t.includes('both async and sync fetching of the wasm failed'));
    expect(yoga).toHaveLength(1);
    expect(/typeof fetch/.test(yoga[0]), 'the loader tests for fetch').toBe(false);
  });
});

/** Cells drawn with a colour or inverse video: Ink's chalk had a colour level. */
function styledCells(screen: Screen): number {
  const b = screen.term.buffer.active;
  let n = 0;
  for (let y = 0; y < screen.term.rows; y++) {
    const line = b.getLine(y);
    for (let x = 0; line && x < screen.term.cols; x++) {
      const c = line.getCell(x);
      if (c && (!c.isFgDefault() || !c.isBgDefault() || c.isInverse())) n++;
    }
  }
  return n;
}

describe('serve --ssh from the bundle', () => {
  // src/ssh/server.ts sets the colour level on the chalk next to Ink in node_modules; the
  // bundle must leave chalk there (external), or Ink draws a remote TUI without any colour.
  it('draws the TUI in colour for an xterm-256color client although its stdout is not a terminal', async () => {
    const entry = await bundleEntry();
    const keys = makeKeys();
    const child = spawn(process.execPath, [entry, 'serve', '--ssh', '--host', '127.0.0.1', '--port', '0', '--authorized-keys', keys.authorizedKeys], {
      cwd: ROOT,
      env: { ...process.env, CI: '0', DMADBG_DATA_DIR: join(keys.dir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        child.stderr!.on('data', (d: Buffer) => {
          err += d;
          const m = /serving on 127\.0\.0\.1:(\d+)/.exec(err);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', () => reject(new Error(`server exited:\n${err}`)));
      });
      const c = await connect(port, { privateKey: keys.good });
      const tui = await openTui(c, 100, 30);
      await tui.waitFor(/event 0/);
      expect(styledCells(tui)).toBeGreaterThan(0);
      c.end();
    } finally {
      child.kill('SIGKILL');
      keys.cleanup();
    }
  });
});

describe('when dist/ is stale', () => {
  /** A package-shaped folder: package.json, src/ with one file, dist/main.js. */
  function fakeRoot(): { root: string; touch: (rel: string, t: number) => void } {
    const root = mkdtempSync(join(tmpdir(), 'dmadbg-fresh-'));
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'package.json'), '{}');
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), '');
    writeFileSync(join(root, 'dist', 'main.js'), '');
    const touch = (rel: string, t: number) => utimesSync(join(root, rel), t, t);
    for (const p of ['package.json', 'src', 'src/cli', 'src/cli/main.ts']) touch(p, 1000);
    touch('dist/main.js', 2000);
    return { root, touch };
  }

  it('is fresh when the bundle is newer than every source, stale when any source is newer', () => {
    const { root, touch } = fakeRoot();
    expect(fresh(root)).toBe(join(root, 'dist', 'main.js'));
    touch('src/cli/main.ts', 3000); // an edited source
    expect(fresh(root)).toBeNull();
    touch('src/cli/main.ts', 1000);
    touch('src/cli', 3000); // a file added or removed there
    expect(fresh(root)).toBeNull();
    touch('src/cli', 1000);
    touch('package.json', 3000); // build configuration
    expect(fresh(root)).toBeNull();
    rmSync(join(root, 'dist', 'main.js'));
    touch('package.json', 1000);
    expect(fresh(root)).toBeNull(); // never built
    rmSync(root, { recursive: true, force: true });
  });
});
