/**
 * A scenario document written as JSONC with comments (jsonc.ts reads it back): above each
 * field, the JSON Schema's description of it (the words an editor shows on hover), above
 * the first element of each kind in a list, that kind's description (a device kind, an op
 * and what the kernel requires for it), and at the end of each section the fields it
 * could also have. A template's own notes, keyed by JSON path, come first. Small objects
 * of plain values stay on one line (an op reads like a call); the rest is indented by two.
 */
import { type JsonSchemaNode, branchFor, branchTag, childOf, discriminatorOf } from './schema-walk.ts';
import { jsonPath } from './problems.ts';

export interface CommentOptions {
  readonly schema: JsonSchemaNode;
  /** Comments of the document's own, by JSON path ("devices[0].ops[2]"), above that place. */
  readonly notes?: Readonly<Record<string, string>>;
  /** The schema's descriptions as comments (default true); false: only the notes. */
  readonly descriptions?: boolean;
  /** No comments at all: plain JSON, laid out the same way. */
  readonly plain?: boolean;
  /** Columns a line (and a comment) should fit in. */
  readonly width?: number;
}

type Key = string | number;
const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** One line for a value of plain values (and lists of them), or undefined. */
function oneLine(v: unknown): string | undefined {
  if (isScalar(v)) return JSON.stringify(v);
  const flat = (x: unknown) => isScalar(x) || (Array.isArray(x) && x.every(isScalar));
  if (Array.isArray(v)) return v.every(flat) ? (v.length ? `[${v.map((x) => oneLine(x)).join(', ')}]` : '[]') : undefined;
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.every(([, x]) => flat(x))) return undefined;
  return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${oneLine(x)}`).join(', ')} }` : '{}';
}

/** Words of `text` as `// ` lines of at most `width` columns after `indent`. */
function commentLines(text: string, indent: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let cur = '';
    for (const w of para.split(/\s+/).filter(Boolean)) {
      if (cur && indent.length + 3 + cur.length + 1 + w.length > width) {
        out.push(`${indent}// ${cur}`);
        cur = w;
      } else cur = cur ? `${cur} ${w}` : w;
    }
    out.push(`${indent}// ${cur}`.trimEnd());
  }
  return out;
}

export function toJsonc(doc: unknown, opts: CommentOptions): string {
  const width = opts.width ?? 96;
  const notes = opts.notes ?? {};
  const described = !opts.plain && opts.descriptions !== false;
  const lines: string[] = [];

  const comment = (text: string | undefined, indent: string) => {
    if (!opts.plain && text) lines.push(...commentLines(text, indent, width));
  };

  const value = (v: unknown, node: JsonSchemaNode | undefined, path: Key[], indent: string, head: string, tail: string) => {
    const line = oneLine(v);
    if (line !== undefined && (isScalar(v) || head.length + line.length + tail.length <= width)) {
      // Notes about fields inside a one-line value go above the line.
      const here = jsonPath(path);
      const inner = Object.keys(notes).filter((k) => k !== here && (k.startsWith(`${here}.`) || k.startsWith(`${here}[`)));
      for (const k of inner) comment(`${k.slice(here.length).replace(/^\./, '')}: ${notes[k]}`, indent);
      lines.push(`${head}${line}${tail}`);
      return;
    }
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      lines.push(`${head}[`);
      const d = node?.items ? discriminatorOf(node.items) : undefined;
      const seen = new Set<string>();
      v.forEach((x, i) => {
        const at = [...path, i];
        const item = node?.items;
        const branch = item ? branchFor(item, x) : undefined;
        let text = notes[jsonPath(at)];
        // The first element of each kind carries the kind's description (not every repeat).
        const tag = d !== undefined && branch ? branchTag(branch, d) : '';
        if (described && branch?.description && !seen.has(tag)) text = text ? `${text}\n${branch.description}` : branch.description;
        seen.add(tag);
        comment(text, inner);
        value(x, item, at, inner, inner, i < v.length - 1 ? ',' : '');
      });
      lines.push(`${indent}]${tail}`);
      return;
    }
    const obj = v as Record<string, unknown>;
    const here = node ? branchFor(node, obj) : undefined;
    lines.push(`${head}{`);
    const keys = Object.keys(obj);
    keys.forEach((k, i) => {
      const at = [...path, k];
      const child = node ? childOf(node, k, obj) : undefined;
      let text = notes[jsonPath(at)];
      if (described && child?.description) text = text ? `${text}\n${child.description}` : child.description;
      comment(text, inner);
      value(obj[k], child, at, inner, `${inner}${JSON.stringify(k)}: `, i < keys.length - 1 ? ',' : '');
    });
    const absent = Object.keys(here?.properties ?? {}).filter((k) => !(k in obj) && k !== '$schema');
    if (described && absent.length) comment(`also: ${absent.join(', ')} (docs/scenarios.md)`, inner);
    lines.push(`${indent}}${tail}`);
  };

  value(doc, opts.schema, [], '', '', '');
  return lines.join('\n') + '\n';
}
