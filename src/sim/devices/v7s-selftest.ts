/**
 * The `v7s-selftest` device: runs the kernel's arm_v7s_do_selftests one step per event, on
 * its own page table in simulated memory, emitting map/unmap/pte/pgtable-tlb records and a
 * `selftest` record per check. The scenario's kernel picks v5.0 or v5.4 behaviour and the
 * `v7s-split-blk` row picks the split-block PA behaviour.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { type SelftestState, SELFTEST_SCRIPT, armV7sSelftestCfg, armV7sSelftestStep } from '../pgtable/arm-v7s/selftest.ts';
import { type DeviceBase, DEVICES } from './device.ts';
import { eventKey } from '../core/keys.ts';
import { V7S_SPLIT_BLK, kernelRelease } from '../kernel.ts';

export interface V7sSelftestDevState extends DeviceBase {
  kind: 'v7s-selftest';
  periodNs: number;
  selftest: SelftestState;
}

const STEP = eventKey('v7s-selftest.step');

export function v7sSelftestCreate(m: Machine, name: string, periodNs: number): V7sSelftestDevState {
  const splitBlk = m.behaviour(V7S_SPLIT_BLK);
  return {
    name,
    kind: 'v7s-selftest',
    dmaMaskBits: 32,
    dmaOps: 'dma-direct',
    translator: 'direct',
    maxSegmentSize: 0,
    periodNs,
    selftest: { domain: name, cfgIn: armV7sSelftestCfg(name, kernelRelease(m.config.kernel), splitBlk), pt: null, pc: 0, checks: 0, status: 'running' },
  };
}

export function v7sSelftestRegister(m: Machine): void {
  m.on(STEP, v7sSelftestStep);
}

export function v7sSelftestStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(STEP), index, 0, PRIO.kernel);
}

function v7sSelftestStep(m: Machine, index: number): void {
  const dev = m.model(DEVICES).list[index] as V7sSelftestDevState;
  const more = armV7sSelftestStep(m, dev.selftest);
  if (more && dev.selftest.pc < SELFTEST_SCRIPT.length) {
    m.schedule(dev.periodNs, m.typeOf(STEP), index, 0, PRIO.kernel);
    return;
  }
  m.emit('dev-done', { dev: dev.name, rounds: dev.selftest.status === 'ok' ? 1 : 0 });
}
