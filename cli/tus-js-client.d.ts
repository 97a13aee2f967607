// tus-js-client ships FileUrlStorage for Node (lib/node/urlStorage.js) but not its type.
import type { PreviousUpload, UrlStorage } from 'tus-js-client';

declare module 'tus-js-client' {
  /** Keeps upload URLs in a JSON file, locked with proper-lockfile while it is written. */
  export class FileUrlStorage implements UrlStorage {
    constructor(path: string);
    findAllUploads(): Promise<PreviousUpload[]>;
    findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]>;
    removeUpload(urlStorageKey: string): Promise<void>;
    addUpload(fingerprint: string, upload: PreviousUpload): Promise<string>;
  }
}
