// The CLI contract users script against: exit codes, one-line errors, and run's options.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { dmadbg } from '../helpers/cli.ts';
import { ROOT, runLines } from '../helpers/scenario.ts';
import { DEVICE_KINDS } from '../../src/scenario/schema/devices.ts';

describe('dmadbg run', () => {
  it('prints the trace as JSON Lines equal to the in-process run', () => {
    const r = dmadbg(['run', 'demo-dma-engine', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(runLines('demo-dma-engine'));
    expect(r.stderr).toMatch(/^dmadbg: scenario=demo-dma-engine seed=7 kernel=v5\.4\n/);
    expect(r.stderr).toMatch(/ended after \d+ events/);
  });

  it('--until, --until-kind, --max-events stop early; --seed and --kernel override', () => {
    const until = dmadbg(['run', 'scenarios/demo-dma-engine.json', '--json', '--until', '5']);
    expect(until.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual([0, 1, 2, 3, 4, 5]);
    // --json compares seqs without reading records; the table reads each record: same stop.
    for (const n of ['0', '5', '23']) {
      const json = dmadbg(['run', 'demo-dma-engine', '--json', '--until', n]).stderr;
      expect(json).toMatch(new RegExp(`stopped at record ${n} after`));
      expect(json).toBe(dmadbg(['run', 'demo-dma-engine', '--until', n]).stderr);
    }
    const kind = dmadbg(['run', 'demo-dma-engine', '--json', '--until-kind', 'dev-op']).stdout.trimEnd().split('\n');
    expect(JSON.parse(kind[kind.length - 1]).kind).toBe('dev-op');
    expect(kind.filter((l) => l.includes('"dev-op"'))).toHaveLength(1);
    const max = dmadbg(['run', 'demo-dma-engine', '--max-events', '2']);
    expect(max.stderr).toMatch(/stopped at --max-events 2 after 2 events/);
    const seeded = dmadbg(['run', 'demo-dma-engine', '--json', '--seed', '99', '--kernel', 'v5.0']);
    expect(seeded.stderr).toMatch(/seed=99 kernel=v5\.0/);
    expect(seeded.stdout.trimEnd().split('\n')).toEqual(runLines('demo-dma-engine', { seed: 99, kernel: 'v5.0' }));
  });

  it('--kernel v5.0-rc3 runs the tree the seed patches were posted against', () => {
    const r = dmadbg(['run', 'mtk-4gb-mode', '--json', '--kernel', 'v5.0-rc3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/kernel=v5\.0-rc3/);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual(runLines('mtk-4gb-mode', { kernel: 'v5.0-rc3' }));
    expect(lines.find((l) => l.includes('"kind":"domain"'))).toMatch(/"kernel":"v5\.0-rc3","driver":"pre-mt8183"/);
    expect(dmadbg(['run', 'demo-dma-engine', '--kernel', 'v5.9']).stderr).toMatch(/v5\.0-rc3/);
  });

  it('prints a readable table without --json', () => {
    const r = dmadbg(['run', 'demo-dma-engine', '--until', '2']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+seq\s+time\s+kind\s+fields$/);
    expect(lines[1]).toMatch(/^\s+0\s+0ns\s+map\s+api=dma_map_single dev=blit0 /);
  });

  it('rejects bad numbers and choices as usage errors (exit 2, one line)', () => {
    for (const args of [
      ['run', 'demo-dma-engine', '--seed', 'abc'],
      ['run', 'demo-dma-engine', '--seed', '-1'],
      ['run', 'demo-dma-engine', '--kernel', 'v5.9'],
      ['run', 'demo-dma-engine', '--until-kind', 'fualt'],
      ['rnu', 'demo-dma-engine'],
    ]) {
      const r = dmadbg(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(dmadbg(['run', 'demo-dma-engine', '--until-kind', 'dev-of']).stderr).toMatch(/did you mean "dev-op"/);
  });

  it("usage mistakes read in the house style, with did-you-mean (issue 20 item 14)", () => {
    const cases: [string[], string][] = [
      [['run', 'mt8183-bus-se'], 'dmadbg: no scenario "mt8183-bus-se": no such file, and no built-in scenario of that name (did you mean mt8183-bus-sel?); `dmadbg list` shows the built-in ones'],
      [['run', 'demo-dma-engine', '--sed', '3'], 'dmadbg: run: unknown option --sed (did you mean --seed?); see `dmadbg run --help`'],
      [['run', 'demo-dma-engine', '--kernel', 'v5.5'], 'dmadbg: --kernel: "v5.5" is not a choice (did you mean "v5.0"? one of: v5.0-rc3, v5.0, v5.4); see `dmadbg run --help`'],
      [['validate'], 'dmadbg: validate: missing FILE...; see `dmadbg validate --help`'],
      [['info', 'kernals'], 'dmadbg: info: "kernals" is not a topic (did you mean "kernels"? one of: kernels, kinds, limits); see `dmadbg info --help`'],
      [['list', 'extra'], 'dmadbg: list: unexpected argument "extra" (usage: dmadbg list); see `dmadbg list --help`'],
      [['rnu'], 'dmadbg: unknown command "rnu" (did you mean "run"?); see `dmadbg --help`'],
    ];
    for (const [args, line] of cases) {
      const r = dmadbg(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(line + '\n');
    }
  });
});

describe('dmadbg validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmadbg-cli-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ version: 1, name: 'b', description: 'd', memory: { dram: [] }, devices: [{ kind: 'gpu', name: 'g' }] }));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ "version": 1,, }');

  it('exits 0 when all files are valid, warnings included', () => {
    const r = dmadbg(['validate', 'scenarios/mt8183-bus-sel.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('scenarios/mt8183-bus-sel.json: ok\n');
    // dma32 (a 32-bit mask) reads a buffer above 4 GiB with no SWIOTLB pool: dma_direct_map_page fails.
    const w = dmadbg(['validate', 'scenarios/demo-dma-engine.json']);
    expect(w.code).toBe(0);
    expect(w.stdout).toBe(
      'scenarios/demo-dma-engine.json:devices[1].ops[1]: warning: dma32\'s 32-bit DMA mask does not reach buffer "high" (up to 0x100000fff) and there is no SWIOTLB pool to bounce through: dma_map fails (add "swiotlb": {}, widen dmaMask, or place the buffer lower ("below"))\n' +
        'scenarios/demo-dma-engine.json: ok (1 warning)\n',
    );
  });

  it('accepts "kernel": "v5.0-rc3" and names the kernels when the value is wrong', () => {
    const base = { version: 1, name: 'k', description: 'd', memory: { dram: [{ base: '0x40000000', size: '16M' }] } };
    const rc3 = join(dir, 'rc3.json');
    writeFileSync(rc3, JSON.stringify({ ...base, kernel: 'v5.0-rc3' }));
    expect(dmadbg(['validate', rc3])).toMatchObject({ code: 0, stdout: `${rc3}: ok\n` });
    const rc4 = join(dir, 'rc4.json');
    writeFileSync(rc4, JSON.stringify({ ...base, kernel: 'v5.0-rc4' }));
    const r = dmadbg(['validate', rc4]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${rc4}:kernel: .*"v5\\.0-rc3"`));
  });

  it('lists every problem as file:path: message (hint) and exits 1', () => {
    const r = dmadbg(['validate', bad, broken, join(dir, 'missing.json'), dir]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      `${bad}:memory.dram: at least one DRAM range is needed`,
      `${bad}:devices[0].kind: unknown device kind "gpu" (one of: ${DEVICE_KINDS.join(', ')})`, // grows with each model
      `${broken}: not valid JSON at line 1 column 16: expected a field name in double quotes, found ", }" (fix the JSON syntax)`,
      `${join(dir, 'missing.json')}: no such file (check the path; \`dmadbg list\` shows the built-in scenarios)`,
      `${dir}: is a directory, not a scenario file (name a .json file inside it)`,
    ]);
  });

  it("the README's `validate scenarios/*.json` passes: the JSON Schema there is skipped with a note (issue 20 item 12)", () => {
    const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => `scenarios/${f}`);
    expect(files).toContain('scenarios/schema.json');
    const r = dmadbg(['validate', ...files]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scenarios/schema.json: skipped: a JSON Schema (the scenario format editors read), not a scenario\n');
    // mtk-larb-off (DMA through a suspended larb) and demo-dma-engine (a 32-bit engine, a
    // buffer above 4 GiB, no pool) show a bug on purpose: validate warns, exit 0.
    expect(r.stderr).toBe(`${files.length - 1} of ${files.length - 1} valid, 2 with warnings (1 JSON Schema file skipped)\n`);
    expect(r.stdout).toMatch(/^scenarios\/mtk-larb-off\.json:devices\[0\]\.ops\[5\]: warning: venc0 writes through larb3 at t=3004ns while the larb's runtime-PM count is 0 /m);
  });

  it('a missing "version" is a missing required field, like any other', () => {
    const f = join(dir, 'nover.json');
    writeFileSync(f, JSON.stringify({ name: 'x', description: 'd', memory: { dram: [{ base: 0, size: 4096 }] } }));
    expect(dmadbg(['validate', f]).stdout).toBe(`${f}:version: missing required field (expected 1)\n`);
  });

  it('run on an invalid file exits 1 with the problems, no stack trace', () => {
    const r = dmadbg(['run', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dmadbg: .*bad\.json:memory\.dram: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('dmadbg list, info and --help', () => {
  it('lists built-in scenarios with descriptions', () => {
    const r = dmadbg(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^demo-dma-engine\s+v5\.4\s+Two DMA engines/m);
  });

  it('has help on every command', () => {
    for (const cmd of ['run', 'validate', 'list', 'info', 'tui']) {
      const r = dmadbg([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(new RegExp(`dmadbg ${cmd}`));
    }
    const top = dmadbg(['--help']).stdout;
    expect(top).toMatch(/Exit codes/);
    expect(top).toMatch(/70 internal error/);
    // Issue 20 item 15: the workspace is per user; --help says where it is.
    expect(top.replace(/\n/g, ' ')).toContain(`Workspace: ${process.env.DMADBG_WORKSPACE} (breakpoints, bookmarks, history and recorded runs of this user;`);
  });

  it('prints the kernel behaviour table, one column per kernel', () => {
    const r = dmadbg(['info', 'kernels']);
    expect(r.stdout).toMatch(/^behaviour\s+v5\.0-rc3\s+v5\.0\s+v5\.4\s+choices \(\* what-if\)$/m);
    // ioasid.c arrived after v5.4: no modelled kernel has it, an override selects it (a what-if, marked *).
    expect(r.stdout).toMatch(/^ioasid\s+absent\s+absent\s+absent\s+absent\|present\*\|refcounted\*$/m);
    expect(r.stdout).toMatch(/^\s+what-if refcounted: the v5\.11 generation: ioasid_get \/ ioasid_put/m);
    expect(r.stdout).toMatch(/^\s+what-if present: drivers\/iommu\/ioasid\.c/m);
    // mn_clear_flush_young is in v5.0.1's amd_iommu_v2.c and gone from v5.4.1's; rc3 predates its removal.
    expect(r.stdout).toMatch(/^amd-v2-clear-flush-young\s+present\s+present\s+absent\s+present\|absent$/m);
    // p2pdma's whitelist has code behind it (drivers/pci/p2pdma.c: absent in v5.0.1, present in v5.4.1).
    expect(r.stdout).toMatch(/^p2pdma-whitelist\s+absent\s+absent\s+present\s+absent\|present$/m);
    // VT-d's map_resource row landed with its model: absent until v5.4 (commit 21d5d27c042d).
    expect(r.stdout).toMatch(/^intel-map-resource\s+absent\s+absent\s+iova\s+absent\|iova$/m);
    // The scalable-mode default is the one row v5.0-rc3 has its own choice for.
    expect(r.stdout).toMatch(/^intel-sm-default\s+on\s+off\s+off\s+on\|off$/m);
  });

  it('list, info, validate and --help end quietly when the reader goes away (| head)', () => {
    const bin = JSON.stringify(join(ROOT, 'bin', 'dmadbg.js'));
    for (const args of ['list', 'info kinds', 'info kernels', 'info limits', 'validate scenarios/demo-dma-engine.json scenarios/mt8183-bus-sel.json', '--help']) {
      const r = spawnSync('sh', ['-c', `${JSON.stringify(process.execPath)} ${bin} ${args} | head -n 1 >/dev/null`], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr, args).not.toMatch(/EPIPE|Error|\n\s+at /);
    }
  });

  it('info limits prints the limits table in 80 columns', () => {
    const r = dmadbg(['info', 'limits']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^transfer size: 64 MiB$/m);
    expect(r.stdout).toMatch(/^terminal size: 500x200$/m);
    expect(r.stdout).toMatch(/failed logins per minute per address/);
    for (const l of r.stdout.split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
  });

  it('refuses the TUI without a terminal, in one line', () => {
    const r = dmadbg(['tui']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the TUI needs a terminal/);
  });
});

describe('an internal error (a dmadbg bug)', () => {
  const bug = join(ROOT, 'test', 'cli', 'fixtures', 'inject-bug.ts');
  const run = (args: string[], ws: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--import', bug, join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DMADBG_WORKSPACE: ws },
      timeout: 60_000,
    });

  for (const [what, args] of [
    ['run', ['run', 'demo-dma-engine', '--json']],
    ['run --commands', ['run', 'demo-dma-engine', '--commands', join(ROOT, 'test', 'debugger', 'fixtures', 'demo.cmds'), '--no-record']],
  ] as const) {
    it(`${what}: exit 70, one line naming a crash log that holds the stack`, () => {
      const ws = mkdtempSync(join(tmpdir(), 'dmadbg-crash-'));
      const r = run([...args], ws);
      expect(r.status).toBe(70);
      const lines = r.stderr.trim().split('\n').filter((l) => !/^dmadbg: scenario=/.test(l));
      expect(lines).toHaveLength(1);
      const m = /^dmadbg: internal error \(a dmadbg bug, please report it\): injected: queue order broken; details in (\S+\.log)$/.exec(lines[0]);
      expect(m, lines[0]).not.toBeNull();
      expect(m![1].startsWith(join(ws, 'crash'))).toBe(true);
      const log = readFileSync(m![1], 'utf8');
      expect(log).toMatch(/SimAssertionError: injected: queue order broken\n\s+at /);
      expect(log).toMatch(/^command: dmadbg run demo-dma-engine/m);
    });
  }
});
