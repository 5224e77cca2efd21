import { benches } from './mtk.bench.ts';
const b = benches.find((x) => x.name.includes(process.argv[2] ?? 'IOTLB hit'))!;
for (let i = 0; i < 3; i++) console.log((b.sample() as number) / 1e6);
