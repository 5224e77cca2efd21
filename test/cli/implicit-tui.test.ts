// `ssh -t host dmadbg SCENARIO` must open the TUI, yet `dmadbg lst` must still say
// "did you mean list": a bare word becomes `tui WORD` only when it names a scenario.
import { describe, expect, it } from 'vitest';
import { withImplicitTui } from '../../src/cli/implicit-tui.ts';
import { SCENARIOS } from '../helpers/scenario.ts';
import { dmadbg } from '../helpers/cli.ts';

const CMDS = ['tui', 'run', 'validate', 'list', 'info', 'serve'];

describe('dmadbg SCENARIO', () => {
  it('means tui SCENARIO for a built-in name or an existing file', () => {
    expect(withImplicitTui(['mt8183-bus-sel'], CMDS, SCENARIOS)).toEqual({ argv: ['tui', 'mt8183-bus-sel'] });
    expect(withImplicitTui(['scenarios/demo-dma-engine.json', '--seed', '3'], CMDS, SCENARIOS)).toEqual({
      argv: ['tui', 'scenarios/demo-dma-engine.json', '--seed', '3'],
    });
  });

  it('leaves commands, options and near-miss commands to yargs', () => {
    for (const argv of [['run', 'x'], ['--help'], ['lst'], []]) expect(withImplicitTui(argv, CMDS, SCENARIOS)).toEqual({ argv });
  });

  it('names the closest scenario for a word that is neither', () => {
    const r = withImplicitTui(['mt8183-bus-se'], CMDS, SCENARIOS);
    expect(r).toEqual({ error: expect.stringContaining('did you mean mt8183-bus-sel?') });
    const cli = dmadbg(['mt8183-bus-se']);
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
  });
});
