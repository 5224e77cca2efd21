// Distances and map types between PCI functions, each derived by hand from
// drivers/pci/p2pdma.c: v5.0.1 upstream_bridge_distance() (walk a's chain, for each node
// walk b's chain; count ACS redirect on a's nodes as they are visited, including the common
// one, and on b's nodes below it; -1 with no common node, -2 with any ACS redirect) and
// v5.4.1 __upstream_bridge_distance() + upstream_bridge_distance() (BUS_ADDR, or
// THRU_HOST_BRIDGE downgraded to NOT_SUPPORTED unless host_bridge_whitelist() passes; with
// no common node the distance is len(a's chain) + len(b's chain)). pci_upstream_bridge()
// is NULL on a root bus, so a root port's chain is just itself.
import { describe, expect, it } from 'vitest';
import { bridgeWalk, distanceV50, hostBridgeWhitelist, mapTypeV54 } from '../../../src/sim/pci/distance.ts';
import { MAP_TYPE_NAMES } from '../../../src/sim/pci/types.ts';
import { pciName } from '../../../src/sim/pci/enumerate.ts';
import { RR, ep, host, rp, sw, topo } from './topo.ts';

const INTEL = 0x8086;
const AMD = 0x1022;

function both(t: ReturnType<typeof topo>, a: string, b: string): { v50: number; v54: string; dist: number } {
  const w = bridgeWalk(t, t.id(a), t.id(b));
  const r = mapTypeV54(t, t.id(a), t.id(b));
  return { v50: distanceV50(w), v54: MAP_TYPE_NAMES[r.mapType], dist: r.dist };
}

describe('enumeration (pci_scan_child_bus: slots first, then bridges depth first)', () => {
  it('numbers a root port, a switch and its ports the way the kernel names them', () => {
    const t = topo(host(INTEL, 0x2f00, [rp('rp0', [sw('sw', [['d0', [ep('a')]], ['d1', [ep('b')]]])]), rp('rp1', [ep('c')])]));
    // bus 0: 00.0 host, 01.0 rp0, 02.0 rp1; rp0 -> bus 1 (switch upstream 01:00.0) -> bus 2
    // (downstream 02:00.0, 02:01.0) -> buses 3 and 4; then rp1 -> bus 5.
    const name = (n: string) => pciName(t.fns[t.id(n)]);
    expect(['rp0', 'rp1', 'sw', 'd0', 'd1', 'a', 'b', 'c'].map(name)).toEqual([
      '0000:00:01.0', '0000:00:02.0', '0000:01:00.0', '0000:02:00.0', '0000:02:01.0', '0000:03:00.0', '0000:04:00.0', '0000:05:00.0',
    ]);
    expect([t.fns[t.id('rp0')].secondary, t.fns[t.id('rp0')].subordinate]).toEqual([1, 4]);
    // pci_bus_add_devices order: bus 0's devices, then each bridge's bus.
    expect(t.fns.map((f) => f.name)).toEqual(['0000:00:00.0', 'rp0', 'rp1', 'sw', 'd0', 'd1', 'a', 'b', 'c']);
  });
});

describe('upstream_bridge_distance, v5.0 and v5.4', () => {
  const t = topo(
    host(INTEL, 0x2f00, [
      rp('rp0', [sw('sw', [['d0', [ep('a')]], ['d1', [ep('b')]], ['d2', [ep('f0', { fn: 0 }), ep('f1', { fn: 1 })]]])]),
      rp('rp1', [ep('c')]),
      rp('rp2', [sw('sw2', [['e0', [ep('x')]]]), ep('y', { dev: 1 })]),
    ]),
  );

  it('the same device is 0 (a is its own common node)', () => {
    expect(both(t, 'a', 'a')).toEqual({ v50: 0, v54: 'BUS_ADDR', dist: 0 });
  });

  it('two functions under one port: 2 (up to the port, back down)', () => {
    // f0's chain [f0, d2, sw, rp0]; f1's [f1, d2, ...]: x = f0 no; x = d2 (dist_a 1) is f1's
    // parent (dist_b 1): 2.
    expect(both(t, 'f0', 'f1')).toEqual({ v50: 2, v54: 'BUS_ADDR', dist: 2 });
  });

  it('two downstream ports of one switch: 4 (the comment\'s Device A / Device B)', () => {
    // a: [a, d0, sw, rp0]; b: [b, d1, sw, rp0]; common = sw at dist_a 2, dist_b 2.
    expect(both(t, 'a', 'b')).toEqual({ v50: 4, v54: 'BUS_ADDR', dist: 4 });
    expect(bridgeWalk(t, t.id('a'), t.id('b')).common).toBe(t.id('sw'));
  });

  it('a device under a switch and one directly under the same root port: 4', () => {
    // x: [x, e0, sw2, rp2]; y: [y, rp2]; x's chain reaches rp2 at dist_a 3, y's at dist_b 1.
    expect(both(t, 'x', 'y')).toEqual({ v50: 4, v54: 'BUS_ADDR', dist: 4 });
  });

  it('devices on different root ports: v5.0 -1; v5.4 through the host bridge (whitelisted Intel 8086:2f00, same bridge)', () => {
    // No common node: dist_a = len([a, d0, sw, rp0]) = 4, dist_b = len([c, rp1]) = 2.
    expect(both(t, 'a', 'c')).toEqual({ v50: -1, v54: 'THRU_HOST_BRIDGE', dist: 6 });
  });
});

describe('ACS redirect (pci_bridge_has_acs_redir: RR, CR or EC in ACS control)', () => {
  it('on a downstream port: v5.0 -2; v5.4 THRU_HOST_BRIDGE (whitelisted) with the port listed', () => {
    const t = topo(host(AMD, 0x1450, [rp('rp0', [sw('sw', [['d0', [ep('a')], RR], ['d1', [ep('b')]]])])]));
    expect(both(t, 'a', 'b')).toEqual({ v50: -2, v54: 'THRU_HOST_BRIDGE', dist: 4 });
    expect(bridgeWalk(t, t.id('a'), t.id('b')).acs).toEqual([t.id('d0')]);
    // The client's side is walked too: the same port found from b's end.
    expect(bridgeWalk(t, t.id('b'), t.id('a')).acs).toEqual([t.id('d0')]);
  });

  it('only above the common upstream port: ignored (the walk stops at the common node)', () => {
    const t = topo(host(INTEL, 0x1234, [rp('rp0', [sw('sw', [['d0', [ep('a')]], ['d1', [ep('b')]]])], { acs: RR })]));
    expect(both(t, 'a', 'b')).toEqual({ v50: 4, v54: 'BUS_ADDR', dist: 4 });
  });

  it("on the common node itself: counted (it is checked on a's walk before the match)", () => {
    const t = topo(host(INTEL, 0x1234, [rp('rp0', [sw('sw', [['d0', [ep('a')]], ['d1', [ep('b')]]], RR)])]));
    expect(both(t, 'a', 'b')).toEqual({ v50: -2, v54: 'NOT_SUPPORTED', dist: 4 });
  });

  it('a redirect bit without an ACS capability does not count (pci_find_ext_capability fails)', () => {
    const t = topo(host(INTEL, 0x1234, [rp('rp0', [sw('sw', [['d0', [ep('a')]], ['d1', [ep('b')]]])])]));
    t.fns[t.id('d0')].acsCtrl = RR; // no acsCap: pci_bridge_has_acs_redir returns 0
    expect(both(t, 'a', 'b').v50).toBe(4);
  });
});

describe('host_bridge_whitelist (v5.4.1 pci_p2pdma_whitelist)', () => {
  const twoHosts = (vendor: number, device: number) =>
    topo(host(vendor, device, [rp('rp0', [ep('a')])]), host(vendor, device, [rp('rp1', [ep('b')])], { bus: 0x80 }));

  it('AMD Zen 0x1450: any combination, two host bridges included', () => {
    const t = twoHosts(AMD, 0x1450);
    expect(hostBridgeWhitelist(t, t.id('a'), t.id('b'))).toBe(true);
    expect(both(t, 'a', 'b').v54).toBe('THRU_HOST_BRIDGE');
  });

  it('Intel 0x3c00, 0x3c01, 0x2f00, 0x2f01: only under the same host bridge (REQ_SAME_HOST_BRIDGE)', () => {
    for (const dev of [0x3c00, 0x3c01, 0x2f00, 0x2f01]) {
      const t = twoHosts(INTEL, dev);
      expect(both(t, 'a', 'b').v54, dev.toString(16)).toBe('NOT_SUPPORTED');
      const one = topo(host(INTEL, dev, [rp('rp0', [ep('a')]), rp('rp1', [ep('b')])]));
      expect(both(one, 'a', 'b').v54, dev.toString(16)).toBe('THRU_HOST_BRIDGE');
    }
  });

  it('anything else is refused: AMD Zen 2 0x1480, Intel 0x6f00; a root bus with no 00.0 function', () => {
    for (const [v, d] of [[AMD, 0x1480], [INTEL, 0x6f00]]) {
      const t = topo(host(v, d, [rp('rp0', [ep('a')]), rp('rp1', [ep('b')])]));
      expect(both(t, 'a', 'b').v54).toBe('NOT_SUPPORTED');
    }
    const t = topo(host(AMD, 0x1450, [rp('rp0', [ep('a')]), rp('rp1', [ep('b')])]));
    (t.hosts[0] as { rootFn: number }).rootFn = -1; // pci_get_slot(host->bus, PCI_DEVFN(0, 0)) == NULL
    expect(both(t, 'a', 'b').v54).toBe('NOT_SUPPORTED');
  });
});
