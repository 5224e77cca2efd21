/**
 * A record kind's spec: its name, a one-line summary, and its fields in the order the JSON
 * line writes them (after seq, t and kind). The types below turn a spec into the record's
 * TypeScript type, so `m.emit('dma', {...})` with a misspelled, missing or mistyped field
 * fails `tsc`.
 */
import type { Field } from './field.ts';

export type FieldSpecs = { readonly [name: string]: Field<unknown, boolean> };

/**
 * When a record happens relative to the hardware event it is about: "report" marks the
 * driver's later report of a fault (an event-log entry read, an ISR), so `break fault` can
 * stop at the faulting access and `break fault-irq` at its report.
 */
export type KindStage = 'report';

export interface KindSpec<K extends string = string, S extends FieldSpecs = FieldSpecs> {
  readonly kind: K;
  readonly summary: string;
  readonly fields: S;
  readonly stage?: KindStage;
}

export function kind<const K extends string, const S extends FieldSpecs>(name: K, summary: string, fields: S, opts: { stage?: KindStage } = {}): KindSpec<K, S> {
  return opts.stage ? { kind: name, summary, fields, stage: opts.stage } : { kind: name, summary, fields };
}

type ValueOf<F> = F extends Field<infer T, boolean> ? T : never;
type RequiredNames<S> = { [N in keyof S]: S[N] extends Field<unknown, false> ? N : never }[keyof S];
type OptionalNames<S> = { [N in keyof S]: S[N] extends Field<unknown, false> ? never : N }[keyof S];
type Flat<T> = { [N in keyof T]: T[N] };

/** What a model passes to emit: required fields present, optional ones present or undefined. */
export type FieldsOf<S extends FieldSpecs> = Flat<{ [N in RequiredNames<S>]: ValueOf<S[N]> } & { [N in OptionalNames<S>]?: ValueOf<S[N]> }>;

/** Every record carries these; `stack` is the interned kernel call chain (never serialised). */
export interface RecordHead<K extends string = string> {
  readonly seq: number;
  readonly t: number;
  readonly kind: K;
  /** Interned kernel call chain at emission (src/sim/core/kstack.ts); absent: none. */
  readonly stack?: number;
  /** Arguments of each frame of `stack`, innermost first (only while KStack.keepArgs). */
  readonly frameArgs?: readonly (readonly number[])[];
}

export type RecordFrom<Spec extends KindSpec> = Spec extends KindSpec<infer K, infer S> ? Flat<RecordHead<K> & Readonly<FieldsOf<S>>> : never;
