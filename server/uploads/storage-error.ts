// What a storage error while storing an upload means to the client.
import { errors } from '../errors.js';

/**
 * A full disk (or quota) is answered 507, and running out of file descriptors 503 (it passes: the
 * client may retry); any other file-system error is our fault (500), answered without its message,
 * which names paths on the server (the log keeps it as the cause).
 */
export function storageError(error: NodeJS.ErrnoException): Error & { code?: string } {
  // Already an API error (a backend's STORAGE_UNAVAILABLE, STORAGE_BAD_GATEWAY…): answered as it is.
  if (error.code && error.code in errors) return error;
  if (error.code === 'ENOSPC' || error.code === 'EDQUOT') return new errors.STORAGE_FULL();
  if (error.code === 'EMFILE' || error.code === 'ENFILE') return new errors.SERVER_BUSY();
  return new Error('The upload could not be stored', { cause: error });
}
