/**
 * docs/scenarios.md, generated (`npm run schema`) from the scenario's JSON Schema (itself
 * generated from the zod schema's descriptions), the behaviour table and the templates:
 * the field and op tables say what the editor's hover and `dmadbg new`'s comments say, and
 * every example is a template the tests validate and run. A model adds a row to MODELS
 * (its sections and device kinds); a test fails when a section or device kind is in none.
 */
import { BEHAVIOURS, KERNEL_VERSIONS } from '../sim/kernel.ts';
import { scenarioSchemaForWalk } from './json-schema.ts';
import { type JsonSchemaNode, branchTag, discriminatorOf } from './schema-walk.ts';
import { TEMPLATES } from './templates/index.ts';
import { toJsonc } from './commented.ts';

export interface ModelDoc {
  readonly id: string;
  readonly title: string;
  /** What it models, in a paragraph (markdown). */
  readonly intro: string;
  /** Top-level keys of the scenario it owns. */
  readonly sections: readonly string[];
  /** Device kinds it owns. */
  readonly deviceKinds: readonly string[];
  /** Where the model's own page goes deeper. */
  readonly more?: string;
}

export const MODELS: readonly ModelDoc[] = [
  {
    id: 'scenario',
    title: 'The file',
    intro: 'Every scenario has these fields; `version`, `name`, `description` and `memory` are required.',
    sections: ['$schema', 'version', 'name', 'description', 'kernel', 'seed', 'overrides', 'limits'],
    deviceKinds: [],
  },
  {
    id: 'memory',
    title: 'Physical memory',
    intro: 'DRAM ranges and named buffers. Sections and ops refer to buffers by name; a buffer with `addr` is placed there, the others are allocated first-fit from DRAM (within `below`/`above`). Memory is sparse: only bytes something writes (a `fill`, a device write) cost real memory (`dmadbg info limits`).',
    sections: ['memory'],
    deviceKinds: [],
  },
  {
    id: 'dma-direct',
    title: 'DMA API devices without an IOMMU (dma-direct)',
    intro: 'Devices whose drivers use the DMA API with no IOMMU in front (kernel/dma/direct.c): the DMA address is the physical address, and a buffer the device\'s mask cannot reach bounces through SWIOTLB when a pool exists (the `swiotlb` section), else the mapping fails.',
    sections: [],
    deviceKinds: ['dma-engine', 'bus-master'],
    more: 'docs/swiotlb.md',
  },
  {
    id: 'vtd',
    title: 'Intel VT-d',
    intro: 'Intel DMA remapping (drivers/iommu/intel-iommu.c, dmar.c, intel-pasid.c): DMAR units with their root, context and PASID tables, second-level page tables, the IOTLB, queued or register invalidation and fault recording. A bus-master with a `bdf` sits behind the unit whose scope lists it (or the catch-all unit); with a `pci` section, every device under a host bridge whose `iommu` names the unit does, and its DMA API calls go through intel_map_page/intel_map_sg/intel_map_resource, strict or through the flush queue (rows `intel-map-resource`, `intel-sm-default`, `intel-pasid-snoop-did`, `intel-pasid-teardown-did`).',
    sections: ['vtd'],
    deviceKinds: [],
    more: 'docs/vtd.md',
  },
  {
    id: 'vsva',
    title: 'VT-d guests with shared virtual addressing (what-if)',
    intro: 'Not in v5.0/v5.4: the later kernel it was proposed for, selected by overrides (rows `ioasid` and `vsva-uapi`). Each guest has its own IOASID framework; its vIOMMU registers the virtual-command allocator, so guest PASIDs are host PASIDs answered after `vcmdLatency`. An assigned device sits behind a DMAR unit of the vtd section (scalable mode, ECAP.NEST): VFIO maps guest RAM into its domain\'s second-level table, intel_svm_bind_gpasid writes a nested PASID entry over it, and the unit walks both stages into its IOTLB (the device also has a device TLB); the guest\'s invalidations go through the cache_invalidate UAPI (the validity table, inv_type_granu_table, to_vtd_size, -ERANGE) to QI descriptors on that unit\'s invalidation queue.',
    sections: ['vsva'],
    deviceKinds: [],
    more: 'docs/vsva.md',
  },
  {
    id: 'amd',
    title: 'AMD IOMMU',
    intro: 'The AMD IOMMU DMA path (drivers/iommu/amd_iommu.c): device table entries, I/O page tables, the command buffer with its completion waits, the IOTLB, the event log, dma_ops_alloc_iova, map_sg and the lazy flush queue; devices listed in `amd.devices`, and with a `pci` section every device under a host bridge whose `iommu` names an AMD IOMMU, map through amd_iommu_dma_ops; the reserved PCI ranges are then the topology\'s BARs. The v5.0-rc4 fixes are rows (`amd-map-sg-*`, `amd-detach-flush`, `amd-iova-fail-returns-zero`).',
    sections: ['amd'],
    deviceKinds: [],
    more: 'docs/amd.md',
  },
  {
    id: 'pci',
    title: 'PCI topology, peer-to-peer DMA and HMM',
    intro: 'A PCI hierarchy (host bridges, root ports, switches, endpoints with BARs and ACS) and what drivers/pci/p2pdma.c decides on it: the distance and map type between a provider\'s p2pmem and its clients, the host-bridge whitelist per version (rows `p2pdma-whitelist`, `p2pdma-bus-offset`), where the traffic turns. A host bridge\'s `iommu` names the VT-d unit or AMD IOMMU that translates what reaches it (THRU_HOST_BRIDGE peers and host-memory DMA). A pci-endpoint also mirrors a process through HMM (mm/hmm.c: rows `hmm-range-valid`, `hmm-mirror-unregister`) or maps its BAR into it (the RFC p2p VMA: row `p2p-vma-rfc`).',
    sections: ['pci'],
    deviceKinds: ['pci-endpoint'],
    more: 'docs/pci.md',
  },
  {
    id: 'swiotlb',
    title: 'SWIOTLB bounce buffers',
    intro: 'The bounce pool (kernel/dma/swiotlb.c): present means swiotlb is active. Slots of 2 KiB, at most 128 contiguous per mapping (256 KiB), searched from a moving index; `force` bounces everything. virtio-blk is the driver whose segment size met this limit (kernel rows `dma-max-mapping-size`, `virtio-blk-max-segment`).',
    sections: ['swiotlb'],
    deviceKinds: ['virtio-blk'],
    more: 'docs/swiotlb.md',
  },
  {
    id: 'mtk',
    title: 'MediaTek M4U and SMI',
    intro: 'The MediaTek IOMMU (drivers/iommu/mtk_iommu.c) with its ARM v7s page table (io-pgtable-arm-v7s.c) and the SMI larbs in front of it (drivers/memory/mtk-smi.c): engines sit on larb ports, a larb must be powered (runtime-PM) for its ports to do DMA, and on mt8183 SMI_BUS_SEL routes each larb to one of two M4U cells. The driver generation follows the kernel (row `mtk-driver`: v5.0 has mt2712 and mt8173, v5.4 adds the mt8183 series).',
    sections: ['mtk'],
    deviceKinds: ['mtk-engine', 'v7s-selftest'],
    more: 'docs/pgtable.md',
  },
  {
    id: 'mm',
    title: 'Processes, mmu notifiers and SVA',
    intro: 'Processes with VMAs and CPU page tables; mm operations call the mmu notifiers in the kernel\'s order, and an IOMMU sharing a process\'s address space (AMD IOMMUv2, Intel SVM) subscribes to keep its device\'s ATC coherent (rows `amd-v2-clear-flush-young`, `intel-svm-change-pte`).',
    sections: ['processes', 'sva'],
    deviceKinds: ['sva-device'],
    more: 'docs/mm.md',
  },
  {
    id: 'cpu-maps',
    title: 'CPU views of DMA memory: highmem, kmap, kmemleak, dma_mmap',
    intro: 'The kernel\'s own view of memory on a 32-bit ARM with CONFIG_HIGHMEM (the `kmem` section): lowmem has a linear address, highmem pages only through kmap; a driver doing PIO through sg_virt() of a highmem page oopses (rows `mmc-queue-bounce`, `s3cmci-highmem`). A process\'s `dev-mmap` op maps a device\'s dma_alloc_attrs buffer (row `dma-iommu-mmap`); kmemleak watches the v7s tables (row `v7s-kmemleak-ignore`).',
    sections: ['kmem'],
    deviceKinds: ['s3cmci'],
    more: 'docs/highmem.md',
  },
  {
    id: 'swarm',
    title: 'Swarm families',
    intro: 'A scenario with a `swarm` section is a family: `dmadbg swarm` runs it over many seeds and each seed, from its own PRNG stream, keeps a subset of the devices, picks one value for each `vary` path and may override kernel behaviours; `dmadbg shrink` cuts a failing seed down to the smallest scenario that still fails. `run`, `tui` and `export` ignore the section (they run the file as written).',
    sections: ['swarm'],
    deviceKinds: [],
    more: 'docs/swarm.md',
  },
];

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** How a value is written: a unit's name, a literal, a choice, a range. */
export function typeText(n: JsonSchemaNode): string {
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (n.enum) return n.enum.map((v) => JSON.stringify(v)).join(' or ');
  if (n.title) return n.title;
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return [...new Set(alts.map(typeText))].join(' or ');
  const t = typeof n.type === 'string' ? n.type : n.type?.join(' or ');
  if (t === 'integer') {
    const lo = n.minimum, hi = n.maximum;
    if (lo !== undefined && hi !== undefined && hi < Number.MAX_SAFE_INTEGER) return `integer ${lo}..${hi}`;
    return lo !== undefined && lo >= 0 ? 'integer ≥ 0' : 'integer';
  }
  if (t === 'array') return n.items ? `list of ${typeText(n.items).replace(/^object$/, 'objects')}` : 'list';
  return t ?? 'any';
}

const defaultText = (n: JsonSchemaNode): string => (n.default === undefined ? '' : `\`${JSON.stringify(n.default)}\``);

/** An array whose elements are chosen by `op` (a device's script, a process's operations). */
const isOpList = (n: JsonSchemaNode) => n.type === 'array' && !!n.items && discriminatorOf(n.items) === 'op';

interface Row {
  readonly path: string;
  readonly node: JsonSchemaNode;
  readonly required: boolean;
}

/**
 * The fields under an object node, nested objects flattened (`protect.addr`, `m4u[].larbs`);
 * a recursive part (a switch below a switch port) is listed once.
 */
function fieldRows(n: JsonSchemaNode, prefix: string, skip: (key: string, node: JsonSchemaNode) => boolean, seen: ReadonlySet<JsonSchemaNode> = new Set()): Row[] {
  const rows: Row[] = [];
  const req = new Set(n.required ?? []);
  const inner = new Set([...seen, n]);
  for (const [key, child] of Object.entries(n.properties ?? {})) {
    if (skip(key, child)) continue;
    const path = `${prefix}${key}`;
    rows.push({ path, node: child, required: req.has(key) });
    const alts = child.anyOf ?? child.oneOf;
    const obj = child.properties ? child : alts?.find((b) => b.properties);
    const items = child.type === 'array' ? child.items : undefined;
    if (obj && !discriminatorOf(child)) {
      if (!inner.has(obj)) rows.push(...fieldRows(obj, `${path}.`, () => false, inner));
    } else if (items && !isOpList(child)) {
      // A list of one object kind, or of kinds told apart by a field (a PCI port's children).
      const kinds = items.properties ? [items] : (items.anyOf ?? items.oneOf ?? []).filter((b) => b.properties);
      const d = discriminatorOf(items);
      for (const k of kinds) {
        if (inner.has(k)) continue;
        rows.push(...fieldRows(k, `${path}[]${d && kinds.length > 1 ? `{${d}=${branchTag(k, d)}}` : ''}.`, () => false, inner));
      }
    }
  }
  return rows;
}

function fieldTable(rows: readonly Row[]): string {
  const out = ['| field | type | default | what |', '|---|---|---|---|'];
  for (const r of rows) out.push(`| \`${r.path}\`${r.required ? ' (required)' : ''} | ${cell(typeText(r.node))} | ${cell(defaultText(r.node))} | ${cell(r.node.description ?? '')} |`);
  return out.join('\n');
}

/** One row per op: its fields (required plain, optional with its default) and what it does. */
function opTable(list: JsonSchemaNode): string {
  const out = ['| op | fields | what it does, and what the kernel requires |', '|---|---|---|'];
  for (const b of list.items?.oneOf ?? list.items?.anyOf ?? []) {
    const req = new Set(b.required ?? []);
    const fields = Object.entries(b.properties ?? {})
      .filter(([k]) => k !== 'op')
      .map(([k, f]) => {
        const name = req.has(k) ? `\`${k}\`` : `[\`${k}\`${f.default !== undefined ? `=${JSON.stringify(f.default)}` : ''}]`;
        return `${name} ${typeText(f)}${f.description ? `: ${f.description}` : ''}`;
      });
    out.push(`| \`${branchTag(b, 'op')}\` | ${cell(fields.join('; ')) || '—'} | ${cell(b.description ?? '')} |`);
  }
  return out.join('\n');
}

function objectSection(title: string, n: JsonSchemaNode, prefix: string): string {
  const parts: string[] = [];
  const list = n.type === 'array' ? n.items : undefined;
  const obj = list ?? (n.properties ? n : n.anyOf?.find((b) => b.properties) ?? n.oneOf?.find((b) => b.properties));
  const rows = obj ? fieldRows(obj, prefix, () => false) : [];
  const what = [n.description, list?.description].filter(Boolean).map((d) => `${d![0].toUpperCase()}${d!.slice(1)}.`).join(' Each: ');
  parts.push(`### ${title}\n\n${what}`);
  const forms = n.anyOf ?? n.oneOf;
  if (forms && !discriminatorOf(n)) {
    for (const f of forms) if (!f.properties && f.description) parts.push(`Or a ${typeText(f)}: ${f.description}.`);
  }
  if (rows.length) parts.push(fieldTable(rows.filter((r) => !isOpList(r.node))));
  for (const r of rows.filter((x) => isOpList(x.node))) parts.push(`Ops of \`${r.path}\`:\n\n${opTable(r.node)}`);
  return parts.join('\n\n');
}

function deviceSection(kind: JsonSchemaNode): string {
  const name = branchTag(kind, 'kind');
  const rows = fieldRows(kind, '', (k) => k === 'kind');
  const what = kind.description ? `${kind.description[0].toUpperCase()}${kind.description.slice(1)}.` : '';
  const parts = [`### Device \`"kind": "${name}"\`\n\n${what}`, fieldTable(rows.filter((r) => !isOpList(r.node)))];
  for (const r of rows.filter((x) => isOpList(x.node))) parts.push(`Ops of \`${r.path}\`:\n\n${opTable(r.node)}`);
  return parts.join('\n\n');
}

function modelSection(m: ModelDoc, root: JsonSchemaNode): string {
  const props = root.properties ?? {};
  const kinds = props.devices?.items?.oneOf ?? [];
  const parts = [`## ${m.title}\n\n${m.intro}`];
  if (m.id === 'scenario') {
    parts.push(fieldTable(m.sections.map((k) => ({ path: k, node: props[k], required: (root.required ?? []).includes(k) }))));
  } else {
    for (const s of m.sections) parts.push(objectSection(`\`${s}\``, props[s], `${s}${props[s].type === 'array' ? '[]' : ''}.`));
  }
  for (const k of m.deviceKinds) parts.push(deviceSection(kinds.find((x) => branchTag(x, 'kind') === k)!));
  for (const t of TEMPLATES.filter((x) => x.model === m.id)) {
    const { version, ...rest } = t.scenario;
    const text = toJsonc({ version, name: t.id, ...rest }, { schema: root, notes: t.notes, descriptions: false });
    parts.push(`Example: \`dmadbg new NAME --template ${t.id}\` (${t.summary}):\n\n\`\`\`jsonc\n${text}\`\`\``);
  }
  if (m.more) parts.push(`More: [${m.more.replace(/^docs\//, '')}](${m.more.replace(/^docs\//, '')}).`);
  return parts.join('\n\n');
}

const INTRO = `# Writing scenarios

A scenario file describes the machine (memory, IOMMUs, bounce buffers, processes) and the
devices whose DMA you want to watch. Start from a template and edit it:

\`\`\`sh
dmadbg new mybug --template mtk     # writes mybug.jsonc, every field commented
dmadbg validate mybug.jsonc         # every problem in one pass, then warnings
dmadbg run mybug.jsonc              # the trace; dmadbg tui mybug.jsonc to step it
\`\`\`

\`dmadbg new NAME --from SCENARIO\` starts from a copy of any scenario instead (a built-in
name or a file). NAME.jsonc is written; NAME.json is plain JSON without comments.

**Comments.** Scenario files are JSON, and \`//\` and \`/* */\` comments are allowed in any of
them (JSONC, as in tsconfig.json). Errors keep the line and column of the file as written.
Trailing commas are not allowed. \`"$schema"\` points editors at the JSON Schema
(scenarios/schema.json), so they complete fields and show the descriptions this page lists.

**Values.** Addresses, sizes and offsets are numbers or strings: \`"0x4000_0000"\`, \`"64K"\`,
\`"1M"\`, \`"4096"\`. Durations are nanoseconds or strings: \`500\`, \`"500ns"\`, \`"10us"\`, \`"2ms"\`.
Names start with a letter and use letters, digits, \`_\`, \`.\` and \`-\`. A byte is 0..255.

**Validation.** \`dmadbg validate\` reports every problem at once as \`file:json.path: message
(hint)\`: the schema, the cross-references (buffers, handles, larbs and ports, processes), the
limits (\`dmadbg info limits\`) and what only placing the buffers can tell, even when parts of
the file are broken (those parts are left out of the later checks). Then it warns, exit 0
still, about what will certainly go wrong when the scenario runs:

- an mtk-engine doing DMA while its larb's runtime-PM count is 0 (no \`larb-get\` holds it at
  that nanosecond), and a \`larb-put\` with the count already 0;
- a device that maps through an IOMMU but is attached to no domain;
- a dma-engine reading or writing a raw address outside every DRAM range;
- a device mapping, through dma-direct, a buffer beyond its DMA mask with no SWIOTLB pool to
  bounce through (or a pool it cannot reach).

Built-in scenarios that show such a bug on purpose (mtk-larb-off, demo-dma-engine) warn too.

## Templates

| template | model | what it starts with |
|---|---|---|
${TEMPLATES.map((t) => `| \`${t.id}\` | [${MODELS.find((m) => m.id === t.model)?.title ?? t.model}](#${anchor(MODELS.find((m) => m.id === t.model)?.title ?? t.model)}) | ${cell(t.summary)} |`).join('\n')}

## Kernel versions and overrides

\`kernel\` picks the kernel whose behaviour is modelled (${KERNEL_VERSIONS.map((k) => `\`${k}\``).join(', ')}). Where
the kernels differ, one row of the behaviour table (src/sim/kernel.ts) names the choices and
what each kernel does; every row has code behind each choice. \`overrides\` in the file, or
\`--override NAME=CHOICE\` on \`dmadbg run\` and \`dmadbg tui\` (repeatable, over the file's),
runs one row's other choice on the same kernel: a what-if. \`dmadbg diff SCENARIO --kernel
v5.0 --kernel v5.4\` (or \`--override NAME=CHOICE\`, side B against the file as written) shows
where the two traces first differ. \`dmadbg info kernels\` prints this table.

| row | area | ${KERNEL_VERSIONS.join(' | ')} | choices | what |
|---|---|${KERNEL_VERSIONS.map(() => '---|').join('')}---|---|
${BEHAVIOURS.map((b) => `| \`${b.id}\` | ${b.area} | ${KERNEL_VERSIONS.map((k) => b.kernels[k]).join(' | ')} | ${b.choices.join(', ')} | ${cell(b.summary)} (${cell(b.source)}) |`).join('\n')}

\`\`\`jsonc
"kernel": "v5.4",
"overrides": { "v7s-split-blk": "corrected" }   // or: dmadbg run FILE --override v7s-split-blk=corrected
\`\`\`
`;

/** GitHub's heading anchor. */
function anchor(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

export function scenarioDoc(): string {
  const root = scenarioSchemaForWalk();
  const note = '<!-- Generated by `npm run schema` from the scenario schema (src/scenario/schema/), the behaviour table and the templates; edit those, not this file. -->\n\n';
  return note + [INTRO, ...MODELS.map((m) => modelSection(m, root))].join('\n\n') + '\n';
}
