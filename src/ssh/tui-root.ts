/**
 * What an SSH TUI session renders: a session port per scenario (shared by everyone on
 * that scenario) and a root element for one member. The only place that knows which
 * session and which component are in use, so switching to the debugger's Session and
 * the TUI's root component is a change here alone.
 */
import React from 'react';
import { loadAndBuild } from '../cli/load.ts';
import { BuiltPort, FallbackApp } from './fallback.ts';
import type { Member } from './shared-session.ts';

export type Port = BuiltPort;

/** Build the session for a scenario file (absolute, already confined). Throws a one-line Error on a bad scenario. */
export function createPort(file: string): { port: Port; dispose?: () => void } {
  return { port: new BuiltPort(loadAndBuild(file)) };
}

export function rootElement(member: Member<Port>): React.ReactElement {
  return React.createElement(FallbackApp, { member });
}
