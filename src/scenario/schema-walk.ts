/**
 * Walking the scenario's JSON Schema (json-schema.ts) alongside a document: the node that
 * describes a value, the branch of a union a value takes, the discriminator of a union.
 * `dmadbg new` (commented.ts) and docs/scenarios.md (scenario-doc.ts) read descriptions
 * through these, so both say what the editor's schema says.
 */
export interface JsonSchemaNode {
  readonly type?: string | readonly string[];
  readonly description?: string;
  /** The unit a value is written in ("address", "size", "duration", ...), from the zod schema's meta. */
  readonly title?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchemaNode;
  readonly items?: JsonSchemaNode;
  readonly oneOf?: readonly JsonSchemaNode[];
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly [other: string]: unknown;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The property every branch of a oneOf fixes with a `const` ("kind", "op"), if any. */
export function discriminatorOf(node: JsonSchemaNode): string | undefined {
  const branches = node.oneOf ?? node.anyOf;
  if (!branches?.length) return undefined;
  const first = branches[0].properties ?? {};
  return Object.keys(first).find((k) => branches.every((b) => b.properties?.[k]?.const !== undefined));
}

/** The value a branch's discriminator fixes ("dma-engine", "read"). */
export function branchTag(branch: JsonSchemaNode, discriminator: string): string {
  return String(branch.properties?.[discriminator]?.const);
}

const typeOfValue = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v);

function typeMatches(node: JsonSchemaNode, v: unknown): boolean {
  const t = node.type;
  if (t === undefined) return true;
  const ts = typeof t === 'string' ? [t] : t;
  const vt = typeOfValue(v);
  return ts.includes(vt) || (vt === 'number' && ts.includes('integer'));
}

/** The branch of a union this value takes (by discriminator, else by type); the node itself otherwise. */
export function branchFor(node: JsonSchemaNode, value: unknown): JsonSchemaNode {
  const branches = node.oneOf ?? node.anyOf;
  if (!branches) return node;
  const d = discriminatorOf(node);
  const found = d !== undefined && isObj(value) ? branches.find((b) => b.properties?.[d]?.const === value[d]) : branches.find((b) => typeMatches(b, value));
  if (!found) return node;
  // The union's own description covers the whole; a branch's is more specific.
  return found.description || !node.description ? found : { ...found, description: node.description };
}

/** The node describing `value[key]` when `node` describes `value`. */
export function childOf(node: JsonSchemaNode, key: string | number, value: unknown): JsonSchemaNode | undefined {
  const n = branchFor(node, value);
  if (typeof key === 'number') return n.items;
  if (n.properties?.[key]) return n.properties[key];
  return typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
}
