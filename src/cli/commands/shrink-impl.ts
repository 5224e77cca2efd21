/** `dmadbg shrink`: the seed's family member, minimised while it fails, written with a command file. */
import { writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { LIMITS } from '../../sim/limits.ts';
import { decodeLine } from '../../sim/trace/codec.ts';
import { formatRecordRow } from '../../debugger/format.ts';
import { seedDoc } from '../../debugger/swarm/seed.ts';
import { ShrinkError, shrink } from '../../debugger/swarm/shrink.ts';
import { intOption } from '../args.ts';
import { EXIT, UsageError } from '../output.ts';
import { failOnKinds, loadFamily, overridesOf } from '../swarm/family.ts';
import type { ShrinkArgs } from './shrink.ts';

const count = (doc: Record<string, unknown>) => {
  const devices = Array.isArray(doc.devices) ? (doc.devices as Record<string, unknown>[]) : [];
  const ops = devices.reduce((n, d) => n + (Array.isArray(d.ops) ? d.ops.length : Array.isArray(d.requests) ? d.requests.length : 0), 0);
  return `${devices.length} device${devices.length === 1 ? '' : 's'}, ${ops} ops`;
};

export function shrinkHandler(argv: ArgumentsCamelCase<ShrinkArgs>): number {
  const seed = intOption('seed', argv.seed, { max: 0xffff_ffff })!;
  const failOn = failOnKinds(argv.failOn ?? '');
  const overrides = overridesOf(argv.override);
  const maxEvents = intOption('max-events', argv.maxEvents, { min: 1, max: LIMITS.events });
  const fam = loadFamily(argv.scenario);
  const { doc, choices } = seedDoc(fam.raw, seed);
  process.stderr.write(`dmadbg: shrinking ${fam.name} seed ${seed}${choices.length ? ` (${choices.join('; ')})` : ''}, fail on ${failOn.join(',')}\n`);
  const settings = { failOn, kernel: argv.kernel, overrides, maxEvents };
  let r;
  try {
    r = shrink(doc, fam.file, settings);
  } catch (e) {
    if (e instanceof ShrinkError) throw new UsageError(`shrink: seed ${seed}: ${e.message}`, EXIT.error);
    throw e;
  }
  const stem = `${fam.name}-seed${seed}.min`;
  const dir = resolve(argv.output ?? '.');
  const scenarioFile = join(dir, `${stem}.json`);
  const cmdsFile = join(dir, `${stem}.cmds`);
  const failing = decodeLine(r.result.line!);
  const out: Record<string, unknown> = {
    ...r.doc,
    ...(argv.kernel ? { kernel: argv.kernel } : {}),
    ...(Object.keys(overrides).length ? { overrides: { ...((r.doc.overrides as Record<string, string> | undefined) ?? {}), ...overrides } } : {}),
    name: `${fam.name}-seed${seed}-min`,
    description: `${fam.name} seed ${seed} shrunk by dmadbg shrink: still fails with ${r.result.kind} at record ${r.result.seq} (event ${r.result.event})`,
  };
  if (typeof out.$schema === 'string') delete out.$schema; // the written file lives elsewhere
  const cmds = [
    `# ${basename(scenarioFile)}: ${fam.name} seed ${seed}, shrunk; the failure is the first ${r.result.kind} record (${r.result.seq})`,
    `#   dmadbg tui ${basename(scenarioFile)} --commands ${basename(cmdsFile)}`,
    `#   dmadbg run ${basename(scenarioFile)} --commands ${basename(cmdsFile)}   (exit 3 at the stop)`,
    `break ${r.result.kind}`,
    'continue',
    '',
  ].join('\n');
  try {
    writeFileSync(scenarioFile, JSON.stringify(out, null, 2) + '\n');
    writeFileSync(cmdsFile, cmds);
  } catch (e) {
    throw new UsageError(`shrink: cannot write in ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.error);
  }
  process.stdout.write(
    [
      `shrunk ${fam.name} seed ${seed}: ${count(doc)}, ${r.original.events} events -> ${count(r.doc)}, ${r.result.events} events (${r.tests} runs)`,
      `fails with: ${formatRecordRow(failing)}`,
      `wrote ${scenarioFile}`,
      `wrote ${cmdsFile}`,
      `open it: dmadbg tui ${scenarioFile} --commands ${cmdsFile}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
