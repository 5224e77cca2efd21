/** Every inspector module, imported for its registrations. Add a model's here. */
import './builtin.ts';
import './models.ts';
import './kmem.ts';
import './pci.ts';
import './vtd.ts';
import './amd.ts';
import './pasid.ts';
import './registers.ts';
import './mappings.ts';

export { available, inspector, inspectors, registerInspector, type InspectContext, type Inspector } from './registry.ts';
