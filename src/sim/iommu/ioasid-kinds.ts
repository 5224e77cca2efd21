/** Trace kinds of PASID allocation: VT-d's IDR and the IOASID framework (collected in src/sim/trace-kinds.ts). */
import { int, oneOf, str } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

export const PASID_ALLOC_RESULTS = ['ok', 'INVALID_IOASID', '-ENOSPC', '-EINVAL', '-ENOMEM'] as const;

export const IOASID_KINDS = [
  kind('pasid-alloc', 'A kernel allocated a PASID (or failed to): VT-d\'s intel_pasid_alloc_id or the IOASID framework\'s ioasid_alloc, through whichever allocator is in charge.', {
    kernel: str('whose allocator: "host" or the guest\'s name'),
    fn: oneOf(['intel_pasid_alloc_id', 'ioasid_alloc'], 'the kernel function: "intel_pasid_alloc_id" (VT-d\'s IDR) or "ioasid_alloc"'),
    allocator: str('who handed it out: "intel-pasid-idr", "default" (the ioasid xarray) or a custom allocator\'s ops'),
    set: str('ioasid_alloc: the ioasid_set (absent: NULL)').opt(),
    min: int('lowest ID asked for'),
    max: int('highest ID asked for (inclusive)'),
    end: int('intel_pasid_alloc_id: the end it was given, exclusive (max = end - 1)').opt(),
    pasid: int('the PASID (absent when allocation failed)').opt(),
    result: oneOf(PASID_ALLOC_RESULTS, '"ok", "INVALID_IOASID" (ioasid_alloc never returns an errno), "-ENOSPC" (the IDR is full), "-EINVAL", "-ENOMEM"'),
    dev: str('the device a bind allocates for').opt(),
    mm: str('the process a bind allocates for').opt(),
    by: str('caller: kernel function (intel_svm_bind_mm, vfio_pasid_alloc, ...) or the scenario op'),
  }),
  kind('pasid-free', 'A PASID went back to its allocator (intel_pasid_free_id, ioasid_free, or the last ioasid_put).', {
    kernel: str('"host" or the guest\'s name'),
    fn: oneOf(['intel_pasid_free_id', 'ioasid_free', 'ioasid_put'], 'the kernel function (ioasid_put: the refcounted generation, its last reference)'),
    allocator: str('the allocator in charge: "intel-pasid-idr", "default" or a custom allocator\'s ops'),
    pasid: int('the PASID'),
    result: oneOf(['ok', 'unknown'], '"ok", or "unknown": the active allocator never handed it out ("Trying to free unknown IOASID")'),
    dev: str('the device an unbind frees for').opt(),
    by: str('caller'),
  }),
  kind('ioasid', 'An IOASID framework call other than alloc/free: an allocator registered or unregistered, ioasid_find, ioasid_set_data, ioasid_get, an ioasid_put that left references.', {
    kernel: str('"host" or the guest\'s name'),
    op: oneOf(['register', 'unregister', 'find', 'set-data', 'get', 'put'], '"register" (ioasid_register_allocator), "unregister", "find" (ioasid_find), "set-data" (ioasid_set_data), "get" (ioasid_get), "put" (ioasid_put with references left: the free is deferred)'),
    ops: str('register/unregister: the ops structure').opt(),
    fns: str('register/unregister: its alloc/free helpers ("intel_vcmd_ioasid_alloc/intel_vcmd_ioasid_free")').opt(),
    pasid: int('find/set-data/get/put: the ID').opt(),
    refs: int('get/put: the references the ID holds afterwards').opt(),
    set: str('find: the set asked for (absent: NULL)').opt(),
    result: int('0, or the negative errno (-EAGAIN, -EEXIST, -ENOENT, -EACCES)'),
    private: str('find/set-data: the private pointer, named ("NULL")').opt(),
    how: oneOf(['active', 'queued', 'shared', 'refused', 'removed', 'left-shared', 'none'], 'register: "active" (took over), "queued" (inactive), "shared" (joined an allocator with the same helpers), "refused"; unregister: "removed", "left-shared" (others share its helpers: IDs kept), "none"').opt(),
    orphaned: int('unregister: IDs still in the removed allocator (the WARN)').opt(),
    active: str('the allocator in charge afterwards: "default" or a custom ops'),
    by: str('caller'),
  }),
] as const;
