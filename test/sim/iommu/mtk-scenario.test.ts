/**
 * The mtk scenario section: mistakes come back as problems with a JSON path (zod's and
 * check-mtk's), a kernel without the driver for the SoC is refused at build, and a run
 * restored from a mid-run snapshot replays the same trace (the IOTLBs, register files and
 * the stale checker's pte seq map all live in m.state).
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/load.ts';
import { build, linesAfterRestore, runLines } from '../../helpers/scenario.ts';

const bad = {
  version: 1,
  name: 'bad',
  description: 'bad',
  memory: { dram: [{ base: '0x40000000', size: '1G' }], buffers: [{ name: 'a', size: '4K' }] },
  mtk: { soc: 'mt8183', m4u: [{ larbs: [0, 1, 2, 3, 4, 5, 6, 9] }], protect: { addr: '0x40000010' } },
  devices: [
    {
      kind: 'mtk-engine',
      name: 'e',
      engine: 'vdec',
      larb: 1,
      port: 9,
      ops: [
        { op: 'map', as: 'm', buf: 'aa', len: '4K', dir: 'to-device' },
        { op: 'read', map: 'n', len: 16 },
        { op: 'read', map: 'm', offset: 4000, len: 200 },
      ],
    },
  ],
};

describe('mtk scenario section', () => {
  it('reports each mistake at its path', () => {
    const r = parseScenarioText(JSON.stringify(bad), 'bad.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'mtk.m4u[0].larbs[7]: mt8183 has larbs 0..7, not 9',
      'mtk.m4u: larb 7 is served by no M4U',
      'mtk.protect.addr: the protect buffer must be 128-byte aligned (MTK_PROTECT_PA_ALIGN)',
      'devices[0].port: larb 1 of mt8183 has ports 0..6, not 9',
      'devices[0].ops[0].buf: no buffer named "aa"',
      'devices[0].ops[1].map: no earlier "map" op names "n"',
      'devices[0].ops[2].len: 200 bytes from offset 4000 overrun mapping "m" (4096 bytes)',
    ]);
  });

  it('mtk-engine devices without an mtk section are refused', () => {
    const r = parseScenarioText(JSON.stringify({ ...bad, mtk: undefined }), 'x.json');
    expect(!r.ok && r.problems[0]).toMatchObject({ path: 'devices[0]', message: 'mtk-engine devices need an "mtk" section' });
  });

  it('v5.0 has no mt8183 driver: the build says so at mtk.soc', () => {
    expect(() => build('mt8183-bus-sel', { kernel: 'v5.0' })).toThrow(/mtk\.soc: the v5.0 mtk_iommu driver has no mt8183 support/);
  });

  it('snapshot + replay reproduces the trace (mtk-missing-flush, mt2712-two-m4u)', () => {
    for (const name of ['mtk-missing-flush', 'mt2712-two-m4u']) {
      const full = runLines(name);
      expect(linesAfterRestore(name, 4)).toEqual(full);
    }
  });
});
