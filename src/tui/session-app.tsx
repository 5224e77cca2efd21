/**
 * The root component over a real debugger Session, for callers that hold one (the SSH
 * server renders this per channel). Adapts it with toPort() and releases the adapter's
 * subscription when unmounted.
 */
import { modelViews, sessionDevices } from '../debugger/views/index.ts';
import React, { useEffect, useMemo } from 'react';
import { Session } from '../debugger/session.ts';
import { DmadbgApp, type AppOptions } from './app.tsx';
import { type ModelSlices, toPort } from './port.ts';

export interface SessionAppProps extends AppOptions {
  readonly session: Session;
  readonly cols: number;
  readonly rows: number;
  readonly onQuit?: () => void;
  /** Model slices for the model panels (see src/tui/panels/<id>/model.ts). */
  readonly models?: () => ModelSlices;
}

export function portFor(session: Session, models: () => ModelSlices = () => modelViews(session)) {
  return toPort(session, { commands: Session.commands(), models, devices: () => sessionDevices(session) });
}

export function SessionApp({ session, models, ...rest }: SessionAppProps) {
  const port = useMemo(() => portFor(session, models), [session]);
  useEffect(() => () => port.dispose(), [port]);
  return <DmadbgApp {...rest} port={port} />;
}
