/**
 * A session on a scenario file, for front ends that sit above the debugger and below the
 * scenario loader's callers (the SSH server): load, check, build, wrap in a Session. A bad
 * scenario throws a ScenarioError whose message lists `file:json.path: message` lines.
 */
import { openScenario } from '../scenario/open.ts';
import { Session, type SessionOptions } from './session.ts';

export function openSession(file: string, options: Omit<SessionOptions, 'file' | 'hash'> = {}): Session {
  const opened = openScenario(file);
  return new Session(opened, { ...options, file: opened.file, hash: opened.hash });
}
