/**
 * Child process for the lock-crash test: takes and releases the workspace file's lock as
 * fast as it can, for ever; prints "ready" once it has started, so the parent can kill it
 * at a moment it does not choose.
 */
import { acquireLock } from '../../src/store/lock.ts';

const [file] = process.argv.slice(2);
process.stdout.write('ready\n');
for (;;) acquireLock(file)();
