/**
 * Child process for the crash and fairness tests: N locked updates, each followed by a
 * recorded run every `runEvery` updates; prints one line per update when asked to (so the
 * parent can kill it mid-save).
 */
import { Workspace } from '../../src/store/workspace.ts';
import { newRunId, saveRun } from '../../src/store/runs.ts';

const [dir, tag, n, runEvery = '0', timeoutMs = '10000'] = process.argv.slice(2);
const ws = new Workspace(dir, { warn: (l) => process.stderr.write(l + '\n'), lock: { timeoutMs: Number(timeoutMs) } });
for (let i = 0; i < Number(n); i++) {
  ws.update((d) => {
    d.history.push(`${tag}-${i}`);
  });
  if (Number(runEvery) > 0 && i % Number(runEvery) === 0) {
    const id = `${newRunId()}-${tag}${i}`;
    saveRun(ws, { header: { type: 'run', id, scenario: 's', file: '/f.json', hash: 'h', seed: 1, kernel: 'v5.4', startedAt: new Date().toISOString() }, steps: [{ type: 'command', line: 'step' }], exit: 0 });
  }
}
