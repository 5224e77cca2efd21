import type { PasidView } from './model.ts';

export interface PasidRow {
  readonly text: string;
  readonly head: boolean;
  readonly bad: boolean;
}

const h = (n: number): string => '0x' + n.toString(16);

export function pasidRows(v: PasidView): PasidRow[] {
  const rows: PasidRow[] = [];
  const s = v.spaces;
  if (s.idr) {
    rows.push({ text: `VT-d IDR  max ${s.idr.maxId}  ${s.idr.ids.length} used`, head: true, bad: false });
    for (const e of s.idr.ids) rows.push({ text: `  ${e.id}  ${e.owner}`, head: false, bad: false });
  }
  for (const sp of s.spaces) {
    rows.push({ text: `${sp.kernel} IOASIDs  active ${sp.active}`, head: true, bad: false });
    for (const a of sp.allocators) rows.push({ text: `  ${a.active ? '*' : ' '} ${a.ops}  ${a.ids} IDs${a.shared.length > 1 ? `  shared x${a.shared.length}` : ''}`, head: false, bad: false });
    for (const d of sp.ids) rows.push({ text: `  ${d.id}  set ${d.set ?? 'NULL'}  ${d.owner ?? ''}`.trimEnd(), head: false, bad: false });
  }
  for (const b of s.bound) {
    if (b.pasid < 0) rows.push({ text: `${b.dev} (${b.guest}) unbound`, head: true, bad: false });
    else {
      rows.push({ text: `${b.dev} (${b.guest}) PASID ${b.pasid} DID ${b.did}`, head: true, bad: false });
      rows.push({ text: `  root ${h(b.pml4Hpa)}  IOTLB ${b.iotlb}  devTLB ${b.atc}`, head: false, bad: false });
    }
  }
  const inv = v.lastInvalidation;
  if (inv) {
    rows.push({ text: 'guest -> host invalidation', head: true, bad: inv.result < 0 });
    for (const line of inv.request) rows.push({ text: `  ${line}`, head: false, bad: false });
    for (const st of inv.steps) rows.push({ text: `  ${st.text}`, head: false, bad: st.bad });
    rows.push({ text: `  returned ${inv.result}`, head: false, bad: inv.result < 0 });
  }
  return rows;
}
