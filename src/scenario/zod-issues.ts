/**
 * Turn zod issues into one-line problems a user can act on: the JSON path, what was
 * wrong, and a hint (the closest known field or value, or what is allowed).
 */
import type { z } from 'zod';
import { closest } from './suggest.ts';
import { type ScenarioProblem, jsonPath } from './problems.ts';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  left?: AnySchema;
}
const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schema that sits at `path` for this input, following arrays and unions. */
export function objectAt(schema: AnySchema, path: readonly PropertyKey[], input: unknown): Def | undefined {
  let s: AnySchema | undefined = schema;
  let v: unknown = input;
  let i = 0;
  for (let guard = 0; s && guard < 200; guard++) {
    const d = defOf(s);
    if (d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'prefault') {
      s = d.innerType;
      continue;
    }
    if (d.type === 'pipe') {
      s = d.in;
      continue;
    }
    if (d.type === 'union') {
      const want = d.discriminator;
      const rec = v as Record<string, unknown> | undefined;
      const objects = (d.options ?? []).filter((o) => defOf(o).type === 'object');
      s = objects.find((o) => {
        const od = defOf(o);
        if (want) {
          const lit = defOf(od.shape![want]) as unknown as { values?: unknown[] };
          return lit.values?.includes(rec?.[want]);
        }
        return Object.keys(rec ?? {}).every((k) => k in od.shape!);
      });
      // An unknown key matches no object option; with only one, that is the one meant.
      if (!s && !want && objects.length === 1) s = objects[0];
      continue;
    }
    if (i === path.length) return d.type === 'object' ? d : undefined;
    const key = path[i++];
    if (d.type === 'object') {
      s = d.shape?.[String(key)];
      v = (v as Record<string, unknown> | undefined)?.[String(key)];
    } else if (d.type === 'array') {
      s = d.element;
      v = (v as unknown[] | undefined)?.[key as number];
    } else if (d.type === 'record') {
      return undefined;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function describeInput(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return String(v);
}

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[k as string];
  return v;
}

export function zodIssuesToProblems(
  file: string,
  schema: AnySchema,
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  for (const iss of issues) {
    const path = jsonPath(iss.path);
    const got = valueAt(input, iss.path);
    switch (iss.code) {
      case 'unrecognized_keys': {
        const known = Object.keys(objectAt(schema, iss.path, input)?.shape ?? {});
        for (const key of iss.keys) {
          const near = closest(key, known);
          out.push({
            file,
            path: jsonPath([...iss.path, key]),
            message: `unknown field "${key}"`,
            hint: near ? `did you mean "${near}"?` : known.length ? `known fields: ${known.join(', ')}` : undefined,
          });
        }
        break;
      }
      case 'invalid_union': {
        const u = iss as unknown as { discriminator?: string; options?: unknown[] };
        if (u.discriminator && u.options) {
          const opts = u.options.map(String);
          const what = u.discriminator === 'kind' ? `${String(iss.path[0] ?? '').replace(/s$/, '')} kind` : u.discriminator;
          const near = typeof got === 'string' ? closest(got, opts) : undefined;
          out.push({
            file,
            path,
            message: got === undefined ? `missing "${u.discriminator}"` : `unknown ${what} ${describeInput(got)}`,
            hint: near ? `did you mean "${near}"?` : `one of: ${opts.join(', ')}`,
          });
        } else {
          // A string/object union (e.g. swiotlb): report the problems of the one form whose
          // type the input has, not that it "matches none".
          const all = (iss as unknown as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
          const wrongType = (b: z.core.$ZodIssue[]) => b.length === 1 && b[0].code === 'invalid_type' && b[0].path.length === 0;
          const branches = all.filter((b) => !wrongType(b));
          if (branches.length === 1) {
            out.push(...zodIssuesToProblems(file, schema, input, branches[0].map((b) => ({ ...b, path: [...iss.path, ...b.path] }))));
          } else if (branches.length === 0 && all.length > 0) {
            const types = [...new Set(all.map((b) => (b[0] as { expected?: string }).expected))].join(' or ');
            out.push({ file, path, message: `expected ${types}, got ${describeInput(got)}` });
          } else {
            out.push({ file, path, message: `${describeInput(got)} matches none of the allowed forms` });
          }
        }
        break;
      }
      case 'invalid_value': {
        const opts = iss.values.map((v) => JSON.stringify(v));
        if (got === undefined) {
          // A missing literal (e.g. "version") reads like every other missing field.
          out.push({ file, path, message: 'missing required field', hint: `expected ${opts.join(' or ')}` });
          break;
        }
        const near = typeof got === 'string' ? closest(got, iss.values.map(String)) : undefined;
        out.push({
          file,
          path,
          message: `${describeInput(got)} is not allowed here`,
          hint: near ? `did you mean "${near}"?` : `one of: ${opts.join(', ')}`,
        });
        break;
      }
      case 'invalid_type':
        out.push({
          file,
          path,
          message: got === undefined ? `missing required field (expected ${iss.expected})` : `expected ${iss.expected}, got ${describeInput(got)}`,
        });
        break;
      case 'too_small':
      case 'too_big': {
        if (!/^Too (small|big)/.test(iss.message)) {
          out.push({ file, path, message: iss.message });
          break;
        }
        const lim = iss.code === 'too_small' ? `at least ${String(iss.minimum)}` : `at most ${String(iss.maximum)}`;
        if (Array.isArray(got)) {
          out.push({ file, path, message: `has ${got.length} entries`, hint: `must have ${lim}` });
        } else {
          const unit = iss.origin === 'string' ? ' characters' : '';
          out.push({ file, path, message: `${describeInput(got)} is out of range`, hint: `must be ${lim}${unit}` });
        }
        break;
      }
      default: {
        // Custom messages carry their own hint in parentheses already.
        const m = /^(.*?) \((.*)\)$/.exec(iss.message);
        out.push(m ? { file, path, message: m[1], hint: m[2] } : { file, path, message: iss.message });
      }
    }
  }
  return out;
}
