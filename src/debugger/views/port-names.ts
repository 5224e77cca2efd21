/** M4U ports by their dt-binding names, for the panels (which see sim/ only through views/). */
export { m4uPortName } from '../../sim/iommu/mtk/ports.ts';
