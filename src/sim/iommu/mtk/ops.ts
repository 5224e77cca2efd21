/**
 * struct iommu_ops for the mtk driver (drivers/iommu/mtk_iommu.c): attach (first attach
 * writes PT_BASE_ADDR, then mtk_iommu_config sets MTK_SMI_MMU_EN(port) in the larb's mask),
 * map / unmap through the shared v7s table, iotlb_sync and flush_iotlb_all (both only
 * tlb_sync), iova_to_phys with the 4GB-mode fix-ups of each kernel.
 */
import type { Machine } from '../../machine.ts';
import { assert } from '../../core/assert.ts';
import { lower32, upper32 } from '../../core/hex.ts';
import { kfunc } from '../../core/kstack.ts';
import { armV7sIovaToPhys, armV7sMap, armV7sUnmap } from '../../pgtable/arm-v7s/index.ts';
import type { ArmV7sPgtable } from '../../pgtable/arm-v7s/types.ts';
import { smiState } from '../../smi/state.ts';
import { DEVICES } from '../../devices/device.ts';
import type { IommuDomain, IommuOps } from '../types.ts';
import { REG_MMU_PT_BASE_ADDR } from './regs.ts';
import { m4uWrite } from './hw.ts';
import { mtkIommuTlbSync, mtkTlbOps } from './flush.ts';
import { MTK_DRIVER, type MtkState, mtkState } from './state.ts';

const MTK_IOMMU_C = 'drivers/iommu/mtk_iommu.c';
const F_MTK_IOMMU_MAP = kfunc('mtk_iommu_map', MTK_IOMMU_C, ['iova', 'paddr', 'size', 'prot']);
const F_MTK_IOMMU_UNMAP = kfunc('mtk_iommu_unmap', MTK_IOMMU_C, ['iova', 'size']);

/** A device behind the M4U: which larb and port its traffic enters through. */
export interface MtkMaster {
  name: string;
  larb: number;
  port: number;
}

export const SZ_4G = 2 ** 32;
/** MTK_IOMMU_4GB_MODE_REMAP_BASE (v5.4.1): CPU 1G..4G is aliased at 5G..8G in 4GB mode. */
export const MTK_IOMMU_4GB_MODE_REMAP_BASE = 0x1_4000_0000;

export function mtkMasterOf(m: Machine, dev: string): MtkMaster {
  const d = m.model(DEVICES).list.find((x) => x.name === dev);
  return d as unknown as MtkMaster;
}

function pgtableOf(s: MtkState): ArmV7sPgtable {
  assert(s.pgtable !== null, 'mtk: no page table (domain not finalised)');
  return s.pgtable;
}

export const mtkIommuOps: IommuOps = {
  name: MTK_DRIVER,
  attachDev(m, _dom: IommuDomain, dev: string): number {
    const s = mtkState(m);
    const master = mtkMasterOf(m, dev);
    const inst = s.m4u[s.larbM4u[master.larb]];
    if (!inst.hasDomain) {
      inst.hasDomain = true;
      const ttbr = pgtableOf(s).cfg.ttbr0;
      // v5.4 masks TTBR0 with GENMASK(31, 7); v5.0 wrote it as is (walk attributes included).
      m4uWrite(m, inst, REG_MMU_PT_BASE_ADDR, s.driver === 'mt8183-series' ? (ttbr & 0xffffff80) >>> 0 : ttbr);
    }
    const larb = smiState(m).larbs[master.larb];
    larb.mmu |= 1 << master.port; // mtk_iommu_config(enable): MTK_SMI_MMU_EN(port)
    m.emit('attach', { iommu: inst.name, dev, larb: master.larb, port: master.port, larbMmu: larb.mmu });
    return 0;
  },
  detachDev(m, _dom, dev): void {
    const master = mtkMasterOf(m, dev);
    const larb = smiState(m).larbs[master.larb];
    larb.mmu &= ~(1 << master.port);
  },
  map(m, _dom, iova, pa, size, prot): number {
    const k = m.kstack.enter(F_MTK_IOMMU_MAP, iova, pa, size, prot);
    const s = mtkState(m);
    let out = pa;
    if (s.driver === 'mt8183-series') {
      if (s.enable4GB) out = SZ_4G + lower32(pa); // paddr |= BIT_ULL(32)
    } else {
      out = lower32(pa); // v5.0 hands io-pgtable the low 32 bits; MTK_4GB adds bit 9
    }
    const ret = armV7sMap(m, pgtableOf(s), mtkTlbOps(m), { iova, pa: out, size, prot });
    m.kstack.leave(k);
    return ret;
  },
  unmap(m, _dom, iova, size, gather): number {
    const k = m.kstack.enter(F_MTK_IOMMU_UNMAP, iova, size);
    const s = mtkState(m);
    const ret = armV7sUnmap(m, pgtableOf(s), mtkTlbOps(m), { iova, size, gather });
    m.kstack.leave(k);
    return ret;
  },
  iotlbSync(m): void {
    mtkIommuTlbSync(m);
  },
  flushIotlbAll(m): void {
    mtkIommuTlbSync(m); // flush_iotlb_all is tlb_sync too: no INVALIDATE = F_ALL_INVLD
  },
  iovaToPhys(m, _dom, iova): number {
    const s = mtkState(m);
    const pa = armV7sIovaToPhys(m, pgtableOf(s), iova);
    if (!s.enable4GB) return pa;
    const bit32 = upper32(pa) & 1 ? SZ_4G : 0;
    // v5.4: pa &= ~BIT_ULL(32) only for the 5G..8G alias; 0 (no mapping) stays 0.
    if (s.driver === 'mt8183-series') return pa >= MTK_IOMMU_4GB_MODE_REMAP_BASE ? pa - bit32 : pa;
    // v5.0: pa |= BIT_ULL(32) on every result, so an unmapped IOVA reads 0x1_0000_0000.
    return pa - bit32 + SZ_4G;
  },
};
