/** `dmadbg new`'s work, loaded when the command runs (it reads the schema). */
import { writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { DEFAULT_TEMPLATE, templateById } from '../../scenario/templates/index.ts';
import { copyText, templateText } from '../../scenario/new-scenario.ts';
import { loadScenarioFile } from '../../scenario/load.ts';
import { formatProblem } from '../../scenario/problems.ts';
import { Name } from '../../scenario/schema/common.ts';
import { resolveScenario } from '../../store/catalog.ts';
import { SCENARIOS_DIR } from '../paths.ts';
import { EXIT, Out, UsageError } from '../output.ts';
import type { NewArgs } from './new.ts';

/** The file to write and the scenario name in it: NAME -> NAME.jsonc; NAME.json stays plain JSON. */
export function newTarget(arg: string): { file: string; name: string; comments: boolean } {
  const file = /\.jsonc?$/.test(arg) ? arg : `${arg}.jsonc`;
  const name = basename(file).replace(/\.jsonc?$/, '');
  if (!Name.safeParse(name).success) {
    throw new UsageError(`new: "${name}" cannot name a scenario: names start with a letter and use letters, digits, "_", "." or "-"`);
  }
  return { file, name, comments: !file.endsWith('.json') };
}

/** "$schema" as a path from the new file's directory (editors resolve it there). */
function schemaRef(file: string): string {
  const abs = resolve(SCENARIOS_DIR, 'schema.json');
  const rel = relative(dirname(resolve(file)), abs).split(sep).join('/');
  // Next to the package (a project with dmadbg in node_modules): relative; elsewhere absolute.
  return rel.startsWith('..') || isAbsolute(rel) ? abs.split(sep).join('/') : `./${rel}`;
}

export const newHandler = async (argv: ArgumentsCamelCase<NewArgs>): Promise<number> => {
  const t = newTarget(argv.name);
  const n = { name: t.name, schemaRef: schemaRef(t.file), comments: t.comments };
  let text: string;
  let what: string;
  if (argv.from !== undefined) {
    const src = resolveScenario(argv.from, SCENARIOS_DIR);
    const res = loadScenarioFile(src);
    if (!res.ok) {
      // A copy that does not validate would not run either: the problems first.
      throw new UsageError(`new --from: ${argv.from} has problems; fix them first or start from a template:\n${res.problems.map(formatProblem).join('\n')}`, EXIT.error);
    }
    text = copyText(res.raw as Record<string, unknown>, argv.from, n);
    what = `a copy of ${argv.from}`;
  } else {
    const tpl = templateById(argv.template ?? DEFAULT_TEMPLATE)!;
    text = templateText(tpl, n);
    what = `template ${tpl.id}: ${tpl.summary}`;
  }
  const out = new Out();
  if (argv.stdout) {
    for (const l of text.replace(/\n$/, '').split('\n')) out.line(l);
    out.flush();
    return EXIT.ok;
  }
  try {
    writeFileSync(t.file, text, { flag: argv.force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`new: ${t.file} exists; pick another NAME, or add --force to overwrite it`);
    throw new UsageError(`new: cannot write ${t.file}: ${code ?? (e as Error).message}${code === 'ENOENT' ? ' (no such directory)' : ''}`, EXIT.error);
  }
  out.line(`wrote ${t.file} (${what})`);
  out.line(`next: dmadbg validate ${t.file}; dmadbg run ${t.file}; dmadbg tui ${t.file}`);
  out.flush();
  return EXIT.ok;
};
