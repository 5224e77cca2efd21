/**
 * M4U ports by their dt-binding names in breakpoints. mt8183-bus-sel's vdec0 sits on larb 1
 * port 3: M4U_PORT_HW_VDEC_AVC_MV_EXT = MTK_M4U_ID(M4U_LARB1_ID, 3) in
 * include/dt-bindings/memory/mt8183-larb-port.h (v5.4.1); port 2 is M4U_PORT_HW_VDEC_VLD_EXT.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build } from '../helpers/scenario.ts';

const session = () => new Session(build('mt8183-bus-sel'));

describe('port=M4U_PORT_... in breakpoints', () => {
  it('break fault-irq port=NAME stops at the report of that port (larb and port both checked)', () => {
    const s = session();
    expect(s.exec('break fault-irq port=M4U_PORT_HW_VDEC_AVC_MV_EXT').error).toBeUndefined();
    const r = s.exec('continue');
    expect(r.stop?.reason).toBe('breakpoint');
    expect(r.stop?.record).toMatchObject({ kind: 'fault', larb: 1, port: 3, dev: 'vdec0' });
  });

  it('another port of the same larb never stops here', () => {
    const s = session();
    s.exec('break fault-irq port=M4U_PORT_HW_VDEC_VLD_EXT');
    expect(s.exec('continue').stop?.reason).toBe('end');
  });

  it('break fault port=NAME: the faulting access of the device on that port', () => {
    const s = session();
    s.exec('break fault port=M4U_PORT_HW_VDEC_AVC_MV_EXT');
    expect(s.exec('continue').stop?.record).toMatchObject({ kind: 'dma', result: 'fault', dev: 'vdec0' });
  });

  it('a misspelt name: the error at its column with a did-you-mean', () => {
    const r = session().exec('break fault-irq port=M4U_PORT_HW_VDEC_AVC_MV_EXX');
    expect(r.error?.message).toBe('no port "M4U_PORT_HW_VDEC_AVC_MV_EXX" on this SoC\'s M4U');
    expect(r.error?.hint).toBe('did you mean "M4U_PORT_HW_VDEC_AVC_MV_EXT"?');
  });
});
