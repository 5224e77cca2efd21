/** Every inspector module, imported for its registrations. Add a model's here. */
import './builtin.ts';
import './models.ts';
import './amd.ts';

export { available, inspector, inspectors, registerInspector, type InspectContext, type Inspector } from './registry.ts';
