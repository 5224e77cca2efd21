/**
 * The bottom frame of an interrupt handler's call chain: the IRQ core calls each action's
 * handler from __handle_irq_event_percpu (kernel/irq/handle.c, v5.0.1 and v5.4.1), so `bt`
 * in an ISR shows where it was entered from. Threaded handlers run from irq_thread_fn
 * (kernel/irq/manage.c).
 */
import { kfunc } from './kstack.ts';

export const F_HANDLE_IRQ_EVENT = kfunc('__handle_irq_event_percpu', 'kernel/irq/handle.c');
export const F_IRQ_THREAD_FN = kfunc('irq_thread_fn', 'kernel/irq/manage.c');
