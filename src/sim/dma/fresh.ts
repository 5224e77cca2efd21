/**
 * A record literal for m.emit with seq, t and kind written first (placeholders emit fills
 * in place): the object is allocated with its final shape, where a literal without them
 * grows a property array for those three on every record. The keys then come in the order
 * a decoded line has them.
 */
import type { FieldsFor, KindName } from '../trace-kinds.ts';

export type Fresh<K extends KindName> = FieldsFor<K> & { seq: number; t: number; kind: K };
