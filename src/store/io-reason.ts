/** An I/O failure in words a user reads, with the code the OS gave: for one-line errors. */

const ERRNO_WORDS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is in the way of a directory',
  EISDIR: 'a directory is in the way of a file',
  ENAMETOOLONG: 'the path is too long',
  ENOENT: 'no such directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code) return `${ERRNO_WORDS[code] ?? 'I/O error'} (${code})`;
  return (e as Error)?.message?.split('\n')[0] ?? String(e);
}
