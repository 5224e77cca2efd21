/** One op of a PCI endpoint's script per event, and the kind's registration (handlers, translator, services). */
import type { Machine } from '../machine.ts';
import { assertNever } from '../core/assert.ts';
import { intBetween } from '../core/prng.ts';
import { type Translation, translatorKey } from './port.ts';
import { PCI_MODEL } from '../pci/types.ts';
import { pciTranslate } from '../pci/route.ts';
import { PCI_EP_STEP, pciEndpoint, pciEndpointNext, type PciEndpointState } from './pci-endpoint.ts';
import {
  opAccess, opBarMove, opDmaMap, opDmaUnmap, opMmapBar, opOdirectRead, opP2pAlloc, opP2pDistance, opP2pFree, opP2pMap, opP2pUnmap,
} from './pci-endpoint-dma.ts';
import { hmmDeviceTranslate, hmmMirrorDriverRegister, opHmmAccess, opHmmFault, opHmmMirror, opHmmUnmirror } from './hmm-mirror-driver.ts';

function step(m: Machine, index: number): void {
  const d = pciEndpoint(m, index);
  if (d.stuck || d.fault) return;
  const op = d.ops[d.pc];
  switch (op.op) {
    case 'p2p-distance': opP2pDistance(m, d, op); break;
    case 'p2p-alloc': opP2pAlloc(m, d, op); break;
    case 'p2p-free': opP2pFree(m, d, op); break;
    case 'p2p-map': opP2pMap(m, d, op); break;
    case 'p2p-unmap': opP2pUnmap(m, d, op); break;
    case 'dma-map': opDmaMap(m, d, op); break;
    case 'dma-unmap': opDmaUnmap(m, d, op); break;
    case 'write': case 'read': opAccess(m, d, op); break;
    case 'odirect-read': opOdirectRead(m, d, op); break;
    case 'mmap-bar': opMmapBar(m, d, index, op); break;
    case 'bar-move': opBarMove(m, d, op); break;
    case 'hmm-mirror':
      if (!opHmmMirror(m, d, index, op)) return; // stuck: the call never returns
      break;
    case 'hmm-unmirror': opHmmUnmirror(m, d); break;
    case 'hmm-access':
      if (!opHmmAccess(m, d, index, op)) return; // waits for its fault
      break;
    case 'hmm-fault':
      return opHmmFault(m, d, index, op); // the fault service moves on when done
    case 'delay': return pciEndpointNext(m, index, op.ns + (op.jitter ? intBetween(d.prng, 0, op.jitter) : 0));
    default: assertNever(op, 'pci-endpoint op');
  }
  pciEndpointNext(m, index, 0);
}

/** A bus address through the topology (with no PCI model or no function, bus = PA). */
function routeBus(m: Machine, d: PciEndpointState, bus: number, write: boolean, out: Translation): boolean {
  const st = m.findModel(PCI_MODEL);
  if (!st || d.fn < 0) {
    out.pa = bus;
    return true;
  }
  return pciTranslate(m, st, d, d.fn, bus, write, out);
}

/**
 * A PCI endpoint's accesses: process addresses through its page table, bus addresses through
 * the topology. The bus path makes no closure: it runs once per page chunk of every DMA.
 */
function translate(m: Machine, d: PciEndpointState, addr: number, write: boolean, out: Translation): boolean {
  if (d.space === 'va') return hmmDeviceTranslate(m, d, addr, write, out, (bus) => routeBus(m, d, bus, write, out));
  return routeBus(m, d, addr, write, out);
}

export function pciEndpointRegister(m: Machine): void {
  m.on(PCI_EP_STEP, step);
  m.provide(translatorKey('pci-endpoint'), (mm, dev, addr, write, out) => translate(mm, dev as PciEndpointState, addr, write, out));
  hmmMirrorDriverRegister(m);
}
