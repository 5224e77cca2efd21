/**
 * Device kinds. Each kind is one strict object in the discriminated union on `kind`;
 * a model issue adds its kinds here.
 */
import { z } from 'zod';
import { Addr, ByteValue, DmaMaskBits, Duration, Name, Offset, Size } from './common.ts';
import { MtkEngine } from './mtk.ts';
import { V7sSelftest } from './v7s-selftest.ts';

const bufOrAddr = {
  buf: Name.optional().describe('name of a buffer in memory.buffers'),
  offset: Offset.optional().describe('byte offset into the buffer'),
  addr: Addr.optional().describe('raw physical address instead of a buffer'),
};

export const EngineOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('write'), ...bufOrAddr, len: Size, pattern: ByteValue.default(0xa5) }),
  z.strictObject({ op: z.literal('read'), ...bufOrAddr, len: Size }),
  z.strictObject({
    op: z.literal('copy'),
    src: Name.describe('source buffer'),
    dst: Name.describe('destination buffer'),
    len: Size,
  }),
  z.strictObject({ op: z.literal('delay'), ns: Duration }),
]);

export const DmaEngine = z.strictObject({
  kind: z.literal('dma-engine'),
  name: Name,
  dmaMask: DmaMaskBits.default(64).describe('DMA addressing limit in bits'),
  start: Duration.default(0).describe('virtual time of the first operation'),
  period: Duration.default(1000).describe('virtual time between rounds'),
  jitter: Duration.default(0).describe('extra random delay per round, 0..jitter, from the seed'),
  repeat: z.number().int().min(1).max(10_000_000).default(1).describe('rounds of the op list'),
  ops: z.array(EngineOp).min(1),
});

export const SvaDeviceOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('read'), va: Addr.describe('process virtual address'), len: Size }),
  z.strictObject({ op: z.literal('write'), va: Addr.describe('process virtual address'), len: Size, pattern: ByteValue.default(0xa5) }),
  z.strictObject({ op: z.literal('delay'), ns: Duration }),
]);

/** A device sharing a process's address space; sva.bindings picks its process and IOMMU. */
export const SvaDevice = z.strictObject({
  kind: z.literal('sva-device'),
  name: Name,
  dmaMask: DmaMaskBits.default(64).describe('DMA addressing limit in bits'),
  start: Duration.default(0).describe('virtual time of the first access'),
  period: Duration.default(1000).describe('virtual time between rounds'),
  jitter: Duration.default(0).describe('extra random delay per round, 0..jitter, from the seed'),
  repeat: z.number().int().min(1).max(10_000_000).default(1).describe('rounds of the op list'),
  ops: z.array(SvaDeviceOp).min(1),
});

export const Device = z.discriminatedUnion('kind', [DmaEngine, SvaDevice, MtkEngine, V7sSelftest]);
export type DeviceIn = z.output<typeof Device>;
export const DEVICE_KINDS = Device.options.map((o) => o.shape.kind.value);
