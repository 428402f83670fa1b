import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/** The data directory holds the secret key and every message: only its owner may enter it. */
const DIR_MODE = 0o700;
/** Files in it (database, WAL, shared memory, app.json): only their owner may read or write them. */
const FILE_MODE = 0o600;

/**
 * Creates the data directory (mode 0700, whatever the umask) or takes away the group's and others'
 * access to an existing one. A directory parley does not own (a shared mount, say) is left as it is.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir, DIR_MODE);
}

/** Creates `file` empty with mode 0600 if it does not exist; either way leaves it 0600. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  tighten(file, FILE_MODE);
}

/** Makes an existing `file` 0600; a file that is not there is not an error. */
export function makePrivate(file: string): void {
  tighten(file, FILE_MODE);
}

function tighten(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
  } catch {
    // Gone meanwhile (a WAL removed by the last connection to close), or not ours to change:
    // the data is served either way, and the modes are tightened again at the next open.
  }
}
