/**
 * A starting scenario for `dmadbg new NAME --template ID`: a small, valid scenario of one
 * model that runs and shows that model's point, with notes (comments, by JSON path) that
 * say why each part is there. docs/scenarios.md prints each as its model's minimal
 * example, and test/scenario/templates.test.ts validates and runs every one.
 */
import type { ScenarioIn } from '../schema/index.ts';

export interface Template {
  /** What `--template` takes. */
  readonly id: string;
  /** The model section of docs/scenarios.md it is the example of (scenario-doc.ts MODELS). */
  readonly model: string;
  /** One line for `dmadbg new --help`. */
  readonly summary: string;
  /** The scenario without its name (the new file's) and $schema (where the file is written). */
  readonly scenario: Omit<ScenarioIn, 'name' | '$schema'>;
  /** Comments of the template's own, above the field or element at each JSON path. */
  readonly notes?: Readonly<Record<string, string>>;
}
