/**
 * Not a bench: runs one bench of bench/*.bench.ts (the first whose name contains argv[2]) a
 * few times, for bench/profile.ts:  npx tsx bench/profile.ts bench/profile-bench.ts 'IOTLB hit'
 */
import { benches as core } from './core.bench.ts';
import { benches as mtk } from './mtk.bench.ts';
import { benches as swiotlb } from './swiotlb.bench.ts';
import { benches as vtd } from './vtd.bench.ts';
import { benches as pci } from './pci.bench.ts';
import { fmt } from './harness.ts';

const want = process.argv[2] ?? '';
const b = [...core, ...mtk, ...swiotlb, ...vtd, ...pci].find((x) => x.name.includes(want));
if (!b) throw new Error(`no bench named like "${want}"`);
for (let i = 0; i < Number(process.argv[3] ?? 5); i++) console.log(`${b.name}: ${fmt(await b.sample())} ${b.unit}`);
