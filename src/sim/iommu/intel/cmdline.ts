/**
 * intel_iommu= as intel_iommu_setup parses it (drivers/iommu/intel-iommu.c): comma-separated
 * words matched by prefix (strncmp), each printing its pr_info line; an unknown word is
 * skipped silently. v5.0-rc3 has `sm_off` (scalable mode defaults on); v5.0.1 and v5.4.1
 * have `sm_on` (it defaults off); v5.4.1 adds `nobounce`.
 */
import type { KernelRelease } from '../../kernel.ts';

export interface IntelIommuParams {
  /** dmar_disabled: translation stays off (intel_iommu=off). */
  disabled: boolean;
  /** intel_iommu_sm. */
  sm: boolean;
  strict: boolean;
  forcedac: boolean;
  superpage: boolean;
  igfxOff: boolean;
  /** The lines the parse printed, with their printk level. */
  lines: { level: 'info'; text: string }[];
}

/**
 * Parse the option string after `intel_iommu=`. `smDefault` is intel_iommu_sm's initial
 * value, which also decides the scalable-mode switch word the kernel knows.
 */
export function parseIntelIommu(arg: string, smDefault: boolean, release: KernelRelease): IntelIommuParams {
  const p: IntelIommuParams = { disabled: false, sm: smDefault, strict: false, forcedac: false, superpage: true, igfxOff: false, lines: [] };
  const info = (text: string) => p.lines.push({ level: 'info', text });
  for (const w of arg.split(',')) {
    if (!w) continue;
    const is = (opt: string) => w.startsWith(opt);
    if (is('on')) {
      p.disabled = false;
      info('DMAR: IOMMU enabled');
    } else if (is('off')) {
      p.disabled = true;
      info('DMAR: IOMMU disabled');
    } else if (is('igfx_off')) {
      p.igfxOff = true;
      info('DMAR: Disable GFX device mapping');
    } else if (is('forcedac')) {
      info('DMAR: Forcing DAC for PCI devices');
      p.forcedac = true;
    } else if (is('strict')) {
      info('DMAR: Disable batched IOTLB flush');
      p.strict = true;
    } else if (is('sp_off')) {
      info('DMAR: Disable supported super page');
      p.superpage = false;
    } else if (smDefault && is('sm_off')) {
      info('DMAR: Intel-IOMMU: disable scalable mode support');
      p.sm = false;
    } else if (!smDefault && is('sm_on')) {
      info('DMAR: Intel-IOMMU: scalable mode supported');
      p.sm = true;
    } else if (is('tboot_noforce')) {
      // printk(KERN_INFO ...): no pr_fmt prefix.
      info('Intel-IOMMU: not forcing on after tboot. This could expose security risk for tboot');
    } else if (release === 'v5.4' && is('nobounce')) {
      info('DMAR: Intel-IOMMU: No bounce buffer. This could expose security risks of DMA attacks');
    }
  }
  return p;
}
