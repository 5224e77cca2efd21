/** The view-model types live with the debugger that derives them (src/debugger/views). */
export type * from '../../../debugger/views/pasid-model.ts';
