// The scenario-writing commands as users run them (issue 18 §6): `dmadbg new`, `--override`
// on run and tui, `dmadbg diff`; help on each, one-line errors, exit codes.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dmadbg } from '../helpers/cli.ts';
import { runLines } from '../helpers/scenario.ts';
import { TEMPLATES } from '../../src/scenario/templates/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'dmadbg-new-'));
const oneLine = (r: { stderr: string }) => expect(r.stderr.trim().split('\n')).toHaveLength(1);

describe('dmadbg new', () => {
  it('writes NAME.jsonc from a template, says what next, and the file validates and runs', () => {
    const r = dmadbg(['new', 'vdec-fault', '--template', 'mtk'], { cwd: dir });
    expect(r.code).toBe(0);
    const file = join(dir, 'vdec-fault.jsonc');
    expect(r.stdout).toBe(`wrote vdec-fault.jsonc (template mtk: ${TEMPLATES.find((t) => t.id === 'mtk')!.summary})\nnext: dmadbg validate vdec-fault.jsonc; dmadbg run vdec-fault.jsonc; dmadbg tui vdec-fault.jsonc\n`);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\{\n {2}\/\/ path of the JSON Schema, for editors\n {2}"\$schema": ".*\/scenarios\/schema\.json",$/m);
    expect(text).toContain('"name": "vdec-fault"');
    expect(dmadbg(['validate', file])).toMatchObject({ code: 0, stdout: `${file}: ok\n` });
    const run = dmadbg(['run', file, '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^dmadbg: scenario=vdec-fault seed=1 kernel=v5\.4\n/);
    expect(run.stdout).toContain('"result":"fault"');
  });

  it('without --template starts from the dma template; NAME.json is plain JSON', () => {
    expect(dmadbg(['new', 'plain.json'], { cwd: dir }).code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8'));
    expect(doc.name).toBe('plain');
    expect(doc.devices[0].kind).toBe('dma-engine');
  });

  it('--from copies a built-in scenario with comments; --stdout prints instead of writing', () => {
    const r = dmadbg(['new', 'mine', '--from', 'mtk-larb-off', '--stdout'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'mine.jsonc'))).toBe(false);
    expect(r.stdout).toMatch(/\/\/ Copied from mtk-larb-off by `dmadbg new`\./);
    expect(r.stdout).toMatch(/\/\/ mtk_smi_larb_get \(pm_runtime_get_sync/);
    expect(r.stdout).toContain('"name": "mine"');
  });

  it('refuses what it cannot do in one line: an existing file, a bad name, an unknown template, both sources', () => {
    const cases: [string[], number, RegExp][] = [
      [['new', 'vdec-fault'], 2, /^dmadbg: new: vdec-fault\.jsonc exists; pick another NAME, or add --force to overwrite it\n$/],
      [['new', '9lives'], 2, /^dmadbg: new: "9lives" cannot name a scenario: names start with a letter/],
      [['new', 'x', '--template', 'mkt'], 2, /^dmadbg: --template: "mkt" is not a choice \(did you mean "mtk"\? one of: dma, mtk, /],
      [['new', 'x', '--template', 'mtk', '--from', 'demo-dma-engine'], 2, /template.*from|from.*template/],
      [['new', 'x', '--from', 'no-such-scenario'], 1, /^dmadbg: new --from: no-such-scenario has problems/],
      [['new', 'nodir/x'], 1, /^dmadbg: new: cannot write nodir\/x\.jsonc: ENOENT \(no such directory\)\n$/],
      [['new'], 2, /^dmadbg: new: missing NAME; see `dmadbg new --help`\n$/],
    ];
    for (const [args, code, re] of cases) {
      const r = dmadbg(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    expect(dmadbg(['new', 'vdec-fault', '--force'], { cwd: dir }).code).toBe(0);
  });
});

describe('--override NAME=CHOICE', () => {
  it('run: the row takes the given choice, as the scenario\'s "overrides" would', () => {
    const r = dmadbg(['run', 'v7s-split-blk', '--json', '--override', 'v7s-split-blk=corrected']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^dmadbg: scenario=v7s-split-blk seed=1 kernel=v5\.4 override=v7s-split-blk=corrected\n/);
    expect(r.stdout.trimEnd().split('\n')).toEqual(runLines('v7s-split-blk', { overrides: { 'v7s-split-blk': 'corrected' } }));
    expect(r.stdout).not.toEqual(dmadbg(['run', 'v7s-split-blk', '--json']).stdout);
  });

  it('mistakes are usage errors with did-you-mean, on run and tui alike', () => {
    const cases: [string, string][] = [
      ['v7s-split-blok=corrected', 'dmadbg: --override: no kernel behaviour "v7s-split-blok" (did you mean "v7s-split-blk"?); `dmadbg info kernels` lists them'],
      ['v7s-split-blk=corected', 'dmadbg: --override v7s-split-blk: "corected" is not a choice (did you mean "corrected"? one of: kernel, corrected)'],
      ['v7s-split-blk', 'dmadbg: --override expects NAME=CHOICE, got "v7s-split-blk" (e.g. v7s-split-blk=kernel); `dmadbg info kernels` lists the behaviours and their choices'],
    ];
    for (const cmd of ['run', 'tui']) {
      for (const [arg, line] of cases) {
        const r = dmadbg([cmd, 'v7s-split-blk', '--override', arg]);
        expect(r.code, `${cmd} ${arg}`).toBe(2);
        expect(r.stderr, `${cmd} ${arg}`).toBe(line + '\n');
      }
    }
  });

  it('a combination the kernel rows forbid is refused at the file, naming the options', () => {
    const r = dmadbg(['run', 'virtio-blk-segment-cap', '--kernel', 'v5.0', '--override', 'virtio-blk-max-segment=virtio_max_dma_size']);
    expect(r.code).toBe(1);
    oneLine(r);
    expect(r.stderr).toMatch(/:overrides: virtio-blk-max-segment "virtio_max_dma_size" needs dma-max-mapping-size, which is "absent" here \(.*with --kernel v5\.0 and --override virtio-blk-max-segment=virtio_max_dma_size\)/);
  });

  it('a recorded --commands run keeps its overrides, and --replay reproduces it', () => {
    const ws = mkdtempSync(join(tmpdir(), 'dmadbg-ws-'));
    const cmds = join(dir, 'stop.cmds');
    writeFileSync(cmds, 'break pte\ncontinue\n');
    const rec = dmadbg(['run', 'v7s-split-blk', '--commands', cmds, '--override', 'v7s-split-blk=corrected', '--workspace', ws]);
    expect(rec.code).toBe(3);
    const replay = dmadbg(['run', '--replay', 'last', '--workspace', ws]);
    expect(replay.stderr).toMatch(/replaying \S+: scenario=v7s-split-blk seed=1 kernel=v5\.4 override=v7s-split-blk=corrected/);
    expect(replay.stderr).toMatch(/matches the recording/);
  });
});

describe('dmadbg diff', () => {
  it('two kernels: where the traces first diverge, the records around it, and a summary by kind (exit 1)', () => {
    const r = dmadbg(['diff', 'swiotlb-virtio-blk-bug', '--kernel', 'v5.0', '--kernel', 'v5.4']);
    expect(r.code).toBe(1);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe('A: scenario=swiotlb-virtio-blk-bug seed=1 kernel=v5.0');
    expect(out[1]).toBe('B: scenario=swiotlb-virtio-blk-bug seed=1 kernel=v5.4');
    // virtblk_probe: v5.0 leaves max_segment_size at -1U; v5.4 caps it with virtio_max_dma_size
    // (swiotlb_max_mapping_size: IO_TLB_SIZE * IO_TLB_SEGSIZE = 256 KiB).
    expect(out[2]).toBe('first difference at record 0 (event 1, t=0ns): blk-queue records differ in maxSegmentSize, maxMappingSize, why');
    expect(r.stdout).toMatch(/^A {7}0 +0ns  blk-queue +dev=vda maxSegmentSize=4294967295 /m);
    expect(r.stdout).toMatch(/^B {7}0 +0ns  blk-queue +dev=vda maxSegmentSize=262144 /m);
    // v5.0's 512 KiB segment overflows the pool: swiotlb-full and an I/O error only on A.
    expect(r.stdout).toMatch(/^ {2}io-error +1 +0$/m);
    expect(r.stdout).toMatch(/^ {2}swiotlb-full +1 +0$/m);
    expect(r.stdout).toMatch(/^to look: dmadbg tui swiotlb-virtio-blk-bug --kernel v5\.0 \(A\) or dmadbg tui swiotlb-virtio-blk-bug --kernel v5\.4 \(B\), then goto 0$/m);
  });

  it('one --override is side B against the file as written; --json is one object', () => {
    const r = dmadbg(['diff', 'v7s-split-blk', '--override', 'v7s-split-blk=corrected', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.a).toMatchObject({ kernel: 'v5.4', seed: 1, overrides: {}, how: 'ended' });
    expect(j.b).toMatchObject({ kernel: 'v5.4', seed: 1, overrides: { 'v7s-split-blk': 'corrected' }, how: 'ended' });
    // arm_v7s_split_blk_unmap: the kernel builds the new L2 entries from the block's prot
    // only (pte = arm_v7s_prot_to_pte(...), then pte += size), without the section's PA;
    // here they are 64 KiB large pages, PA in bits 31:16. "corrected" adds the section PA.
    expect(j.first.fields).toEqual(['new']);
    expect(j.first.a).toMatchObject({ kind: 'pte', level: 2 });
    expect(Number(j.first.a.new) >>> 16).toBe(0);
    expect(Number(j.first.b.new) >>> 16).not.toBe(0);
    expect(j.kinds.pte[0]).toBe(j.kinds.pte[1]);
  });

  it('the same trace exits 0; two overrides of one row give A then B', () => {
    const same = dmadbg(['diff', 'demo-dma-engine', '--kernel', 'v5.0']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^same trace: \d+ records, \d+ events/m);
    const both = dmadbg(['diff', 'v7s-split-blk', '--override', 'v7s-split-blk=corrected', '--override', 'v7s-split-blk=kernel', '--json']);
    const j = JSON.parse(both.stdout);
    expect([j.a.overrides['v7s-split-blk'], j.b.overrides['v7s-split-blk']]).toEqual(['corrected', 'kernel']);
  });

  it('refuses in one line: nothing to compare, three kernels, a bad kernel, a missing scenario (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['diff', 'demo-dma-engine'], /^dmadbg: diff: both sides would run the same kernel, seed and behaviours; give two kernels/],
      [['diff', 'demo-dma-engine', '--kernel', 'v5.0', '--kernel', 'v5.4', '--kernel', 'v5.0-rc3'], /^dmadbg: diff: --kernel is given 3 times; give it once \(side B\) or twice \(A, then B\)/],
      [['diff', 'demo-dma-engine', '--kernel', 'v5.5'], /^dmadbg: --kernel: "v5\.5" is not a choice \(did you mean "v5\.0"\? one of: v5\.0-rc3, v5\.0, v5\.4\)/],
      [['diff', 'nope', '--kernel', 'v5.0'], /^dmadbg: no scenario "nope"/],
      [['diff'], /^dmadbg: diff: missing SCENARIO; see `dmadbg diff --help`/],
    ];
    for (const [args, re] of cases) {
      const r = dmadbg(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
      oneLine(r);
    }
  });
});

describe('help', () => {
  it('new and diff have --help with their examples; the top-level list names them', () => {
    const n = dmadbg(['new', '--help']).stdout;
    expect(n).toMatch(/dmadbg new <name>/);
    for (const t of TEMPLATES) expect(n).toContain(`  ${t.id.padEnd(11)} `);
    const d = dmadbg(['diff', '--help']).stdout;
    expect(d).toMatch(/dmadbg diff <scenario>/);
    expect(d).toMatch(/Exit 0 when the traces are the same, 1 when they differ/);
    const top = dmadbg(['--help']).stdout;
    expect(top).toMatch(/dmadbg new <name>/);
    expect(top).toMatch(/dmadbg diff <scenario>/);
    expect(dmadbg(['run', '--help']).stdout).toMatch(/--override/);
    expect(dmadbg(['tui', '--help']).stdout).toMatch(/--override/);
  });
});


