/**
 * Command files give stable output: the demo tour and its --json form are compared with
 * golden files (UPDATE_GOLDEN=1 rewrites them; review the diff). The exit code follows the
 * last stop (3 at a breakpoint) or the first error (1), which also ends the script.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { runScript, scriptLines, scriptSource } from '../../src/debugger/script.ts';
import { build, expectGolden, ROOT } from '../helpers/scenario.ts';

const FIX = join(ROOT, 'test', 'debugger', 'fixtures');
const cmds = (name: string) => scriptLines(readFileSync(join(FIX, name), 'utf8'));

describe('command files', () => {
  it('the demo tour matches its golden text', () => {
    const r = runScript(new Session(build('demo-dma-engine')), cmds('demo.cmds'));
    expectGolden('debugger/demo.session.txt', r.out);
    expect(r.code).toBe(3);
  });

  it('the same tour twice gives the same bytes, and --json matches its golden', () => {
    const a = runScript(new Session(build('demo-dma-engine')), cmds('demo.cmds'), { json: true });
    const b = runScript(new Session(build('demo-dma-engine')), cmds('demo.cmds'), { json: true });
    expect(a.out).toEqual(b.out);
    expectGolden('debugger/demo.session.jsonl', a.out);
    for (const l of a.out) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('stops at the first error with exit code 1 and a caret', () => {
    const r = runScript(new Session(build('demo-dma-engine')), cmds('error.cmds'));
    expect(r.code).toBe(1);
    expect(r.commands).toHaveLength(3);
    expect(r.out.slice(-4, -1)).toEqual(['break fault tpye=translation', '            ^', 'error: a fault record (dma) has no field "tpye"']);
    expect(r.out[r.out.length - 1]).toMatch(/^hint: did you mean "type"\? \(fields: iova, type, dev, addr, /);
  });

  it('names the file and line of the failed command, as a compiler does', () => {
    const text = '# fault.cmds\nbreak fault\n\ncontnue\nstep\n';
    const r = runScript(new Session(build('demo-dma-engine')), scriptSource(text), { file: 'fault.cmds' });
    expect(r.code).toBe(1);
    expect(r.error).toBe('fault.cmds:4: unknown command "contnue" (did you mean "continue"?)');
    expect(r.commands).toEqual(['break fault', 'contnue']);
  });

  it('quit ends a command file there; the exit code follows the last stop', () => {
    const r = runScript(new Session(build('demo-dma-engine')), scriptSource('break kind=map where result=error\ncontinue\nquit\nstep\n'));
    expect(r.commands).toEqual(['break kind=map where result=error', 'continue', 'quit']);
    expect(r.code).toBe(3);
    expect(r.error).toBeUndefined();
  });

  it('ends with 0 when the scenario ended', () => {
    expect(runScript(new Session(build('demo-dma-engine')), ['continue']).code).toBe(0);
  });
});
