/** Child process for the concurrency test: N locked read-modify-writes, each adding one entry. */
import { Workspace } from '../../src/store/workspace.ts';

const [dir, tag, n] = process.argv.slice(2);
const ws = new Workspace(dir, { warn: (l) => process.stderr.write(l + '\n') });
for (let i = 0; i < Number(n); i++) {
  ws.update((d) => {
    d.history.push(`${tag}-${i}`);
    const e = (d.scenarios[tag] ??= { name: tag, lastOpened: '', points: [], bookmarks: {} });
    e.bookmarks[`b${i}`] = i;
  });
}
