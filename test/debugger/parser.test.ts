/**
 * Parse errors point at the column with a caret and suggest the closest word. The caret
 * line must sit under the offending token, also after `;` in a multi-command line.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { tokenize, splitCommands } from '../../src/debugger/parser.ts';
import { syntheticMachine } from './synthetic.ts';

function err(line: string) {
  const s = new Session(syntheticMachine([]));
  const r = s.exec(line);
  expect(r.error).toBeDefined();
  return r;
}

/** The column the caret points at, read back from the rendered lines. */
function caretCol(lines: readonly string[], line: string): number {
  return lines[lines.indexOf(line) + 1].indexOf('^');
}

describe('parse errors', () => {
  const cases: [string, string, RegExp, RegExp?][] = [
    ['stpe 3', 'stpe', /unknown command "stpe"/, /did you mean "step"/],
    ['break faul', 'faul', /unknown breakpoint kind "faul"/, /did you mean "fault"/],
    ['break fault mmu=1 tpye=translation', 'tpye', /a fault record has no field "tpye"/, /did you mean "type"/],
    ['break inval scope=all  sope=x', 'sope', /no field "sope"/, /did you mean "scope"/],
    ['watch iova 0x2000..0x1000', '0x2000', /bad address range/],
    ['watch iovaa 0x1000', 'iovaa', /cannot watch "iovaa"/, /did you mean "iova"/],
    ['step 3; contnue', 'contnue', /unknown command "contnue"/, /did you mean "continue"/],
    ['step x', 'x', /bad count "x"/],
    ['info iomu', 'iomu', /no info topic "iomu"/, /did you mean "iommu"/],
    ['break kind=dma where dev', 'dev', /expected FIELD OP VALUE/],
    ['goto nowhere', 'nowhere', /no bookmark "nowhere"/],
    ['x/4q 0x1000', 'x/4q', /bad format/],
    ['until soon', 'soon', /neither a record number nor a time/],
    ['trace dmaa', 'dmaa', /unknown record kind "dmaa"/, /did you mean "dma"/],
    ['help stepp', 'stepp', /no command "stepp"/, /did you mean "step"/],
  ];
  for (const [line, at, msg, hint] of cases) {
    it(line, () => {
      const r = err(line);
      expect(r.error!.message).toMatch(msg);
      if (hint) expect(r.error!.hint).toMatch(hint);
      const col = line.indexOf(at, line.indexOf(' ') > 0 && at !== line.split(' ')[0] ? line.indexOf(' ') : 0);
      expect(r.error!.column).toBe(col);
      expect(r.lines).toContain(line);
      expect(caretCol(r.lines, line)).toBe(col);
    });
  }

  it('a missing argument points just past the end', () => {
    const r = err('goto');
    expect(r.error!.column).toBe(5);
    expect(r.error!.hint).toMatch(/goto SEQ/);
  });

  it('unterminated strings point at the quote', () => {
    const r = err('log kind=dma "oops');
    expect(r.error!.column).toBe(13);
  });
});

describe('lexer', () => {
  it('keeps columns and quoted strings, drops comments', () => {
    expect(tokenize('break  fault "a b" # c')).toEqual([
      { text: 'break', col: 0, quoted: false },
      { text: 'fault', col: 7, quoted: false },
      { text: 'a b', col: 13, quoted: true },
    ]);
  });
  it('splits on ; outside quotes', () => {
    expect(splitCommands('step; log kind=dma "a;b"; c').map((p) => p.text)).toEqual(['step', ' log kind=dma "a;b"', ' c']);
  });
});

describe('completion', () => {
  it('completes command names, subcommands, fields and bookmarks', () => {
    const s = new Session(syntheticMachine([]));
    expect(s.complete('rev')).toEqual({ start: 0, candidates: ['reverse-continue', 'reverse-step'] });
    expect(s.complete('info io').candidates).toEqual(['iommu', 'iotlb', 'iova']);
    expect(s.complete('break fault m')).toEqual({ start: 12, candidates: ['mmu='] });
    expect(s.complete('watch ').candidates).toEqual(['bus-sel', 'iova', 'pa', 'pte', 'slot']);
    s.exec('bookmark here');
    expect(s.complete('step; goto h')).toEqual({ start: 11, candidates: ['here'] });
  });
  it('every command has usage, a summary and help', () => {
    for (const c of Session.commands()) {
      expect(c.usage.length, c.name).toBeGreaterThan(0);
      expect(c.summary.length, c.name).toBeGreaterThan(10);
      expect(c.help.split('\n')[0], c.name).toMatch(new RegExp(`^${c.name.replace('?', '\\?')}`));
    }
  });
});
