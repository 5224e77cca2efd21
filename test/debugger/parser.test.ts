/**
 * Parse errors point at the column with a caret and suggest the closest word. The caret
 * line must sit under the offending token, also after `;` in a multi-command line.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { tokenize, splitCommands } from '../../src/debugger/parser.ts';
import { syntheticMachine } from './synthetic.ts';
import { LIMITS } from '../../src/sim/limits.ts';

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
    ['break faul', 'faul', /unknown record kind "faul"/, /did you mean "fault"/],
    ['break fault mmu=1 tpye=translation', 'tpye', /a fault record \(dma\) has no field "tpye"/, /did you mean "type"/],
    ['break fault-irq mmu=1 tpye=translation', 'tpye', /a fault-irq record \(fault, [^)]*page-request[^)]*\) has no field "tpye"/, /did you mean "type"/],
    ['break fault larb=1', 'larb', /a fault record \(dma\) has no field "larb"/, /the driver's report has it: break fault-irq larb=1/],
    ['break kind=dma where len>=abc', 'len', /"abc" is not a number, and len holds one/],
    ['break kind=dma where dir<read', 'dir', /dir is text: it cannot be compared with </],
    ['break inval scope=some', 'scope', /scope is never "some"/, /one of: all, range/],
    ['log kind=dma "{nosuch}"', 'nosuch', /a dma record has no field "nosuch" to print/],
    ['trace kind=map where size>=big', 'size', /"big" is not a number/],
    ['co', 'co', /ambiguous command "co": commands, condition, continue/],
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
  // Every character JavaScript's \s matches separates words: before, the skip knew only ' ' and
  // '\t' while a word ended at any \s, so `step<U+00A0>1` produced empty tokens forever.
  const BLANKS: [string, string][] = [
    ['U+00A0', '\u00a0'], ['U+3000', '\u3000'], ['U+2028', '\u2028'], ['U+2029', '\u2029'], ['U+FEFF', '\ufeff'],
    ['U+1680', '\u1680'], ['U+2003', '\u2003'], ['U+202F', '\u202f'], ['U+205F', '\u205f'], ['\\f', '\f'], ['\\v', '\v'], ['\\r', '\r'],
  ];
  for (const [name, c] of BLANKS) {
    it(`${name} separates words like a space`, () => {
      expect(tokenize(`step${c}1`)).toEqual([
        { text: 'step', col: 0, quoted: false },
        { text: '1', col: 5, quoted: false },
      ]);
      expect(tokenize(`${c}${c}break${c}fault${c}`).map((t) => t.text)).toEqual(['break', 'fault']);
      expect(tokenize(`step${c}# note`).map((t) => t.text)).toEqual(['step']);
    });
  }
  it('a session runs and completes lines with Unicode blanks', () => {
    const s = new Session(syntheticMachine([]));
    expect(s.exec('step\u00a01').error).toBeUndefined();
    expect(s.complete('info\u3000io').candidates).toEqual(['ioasid', 'iommu', 'iotlb', 'iova']);
    expect(s.complete('step\u00a0').candidates).toEqual([]);
    expect(s.exec('\u3000\ufeff').error).toBeUndefined();
  });
  it('a line over the command length limit is refused in one line, and completes to nothing', () => {
    const s = new Session(syntheticMachine([]));
    const long = `step ${'1'.repeat(LIMITS.commandChars)}`;
    expect(s.exec(long).error?.message).toBe(`the command is ${long.length} characters long; the limit is ${LIMITS.commandChars}`);
    expect(s.complete(`info ${' '.repeat(LIMITS.commandChars)}io`).candidates).toEqual([]);
    expect(s.view().events).toBe(0);
  });
  it('splits on ; outside quotes', () => {
    expect(splitCommands('step; log kind=dma "a;b"; c').map((p) => p.text)).toEqual(['step', ' log kind=dma "a;b"', ' c']);
  });
});

describe('completion', () => {
  it('completes command names, subcommands, fields and bookmarks', () => {
    const s = new Session(syntheticMachine([]));
    expect(s.complete('rev')).toEqual({ start: 0, candidates: ['reverse-continue', 'reverse-step', 'reverse-stepi'] });
    expect(s.complete('info io').candidates).toEqual(['ioasid', 'iommu', 'iotlb', 'iova']);
    expect(s.complete('break fault m')).toEqual({ start: 12, candidates: ['m4uPa=', 'mmu='] });
    expect(s.complete('break fault-irq l')).toEqual({ start: 16, candidates: ['larb=', 'larbRaw=', 'layer='] });
    expect(s.complete('watch ').candidates).toEqual(['bus-sel', 'iova', 'pa', 'pte', 'reg', 'slot']);
    s.exec('bookmark here');
    expect(s.complete('step; goto h')).toEqual({ start: 11, candidates: ['here'] });
  });
  it('a unique prefix names a command (gdb): dis, en, si, i b', () => {
    const s = new Session(syntheticMachine([]));
    s.exec('break inval');
    expect(s.exec('dis 1').lines).toEqual(['Disabled 1.']);
    expect(s.exec('en').lines).toEqual(['Enabled 1.']);
    expect(s.exec('i b').lines[1]).toMatch(/^1\s+breakpoint\s+y/);
    expect(s.exec('si').stop?.reason).toBe('end');
    // A typo is never corrected into a motion: it is an error, and nothing moved.
    expect(s.exec('contnue').error?.message).toBe('unknown command "contnue"');
  });

  it('every command has usage, a summary and help', () => {
    for (const c of Session.commands()) {
      expect(c.usage.length, c.name).toBeGreaterThan(0);
      expect(c.summary.length, c.name).toBeGreaterThan(10);
      expect(c.help.split('\n')[0], c.name).toMatch(new RegExp(`^${c.name.replace('?', '\\?')}`));
    }
  });
});
