/**
 * The generic IOMMU core (domains, attach, the stale-translation checker) for every IOMMU
 * driver a scenario has, once, before the drivers set up. A new driver's section adds
 * its name to the condition.
 */
import { iommuCoreInit } from '../../sim/iommu/core.ts';
import type { BuildStep } from './context.ts';

export const buildIommu: BuildStep = ({ m, s }) => {
  if (s.mtk || s.vtd || s.amd || s.vsva || s.pci?.hostBridges.some((h) => h.iommu)) iommuCoreInit(m);
};
