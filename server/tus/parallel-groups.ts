// A parallel upload (tus-js-client `parallelUploads`) is N partial uploads plus a final one created
// only at the end (tus 1.0 §concatenation). Watchers should see one file with combined progress, not
// N parts: the client tags its parts with the same `livedrop-group` metadata value
// (`metadataForPartialUploads`), the first part reserves the final upload's id, and that id is what
// watchers see from `started` to `completed`. Untagged parts stay invisible until their final upload.
import type { Upload } from '../uploads/upload.js';
import type { UploadObserver } from '../uploads/upload-observer.js';

export const GROUP_METADATA_KEY = 'livedrop-group';

interface Part {
  size: number;
  length: number;
  writing: boolean;
}

interface Group {
  tag: string;
  upload: Upload;
  parts: Map<string, Part>;
}

export class ParallelGroups {
  readonly #byTag = new Map<string, Group>();
  readonly #byPart = new Map<string, Group>();

  constructor(private readonly observer: UploadObserver) {}

  /**
   * A tagged part was created (or restored at start-up with its stored size): the group's upload
   * (`template` carries name, type and a fresh id) is started by its first part. Returns the id
   * the final upload will get.
   */
  join(
    tag: string,
    partId: string,
    length: number,
    size: number,
    template: Upload,
    restored = false,
  ): string {
    let group = this.#byTag.get(tag);
    if (!group) {
      group = { tag, upload: { ...template, size: 0, expected: 0 }, parts: new Map() };
      this.#byTag.set(tag, group);
    }
    group.parts.set(partId, { size, length, writing: false });
    this.#byPart.set(partId, group);
    this.#sum(group);
    if (restored) {
      group.upload.status = 'paused';
      this.observer.paused({ ...group.upload });
    } else if (group.parts.size === 1) {
      this.observer.started(group.upload);
    }
    return group.upload.id;
  }

  /** The group's id if `partId` belongs to one (null otherwise). */
  groupIdOf(partId: string): string | null {
    return this.#byPart.get(partId)?.upload.id ?? null;
  }

  writing(partId: string, expiresAt: string): void {
    const group = this.#byPart.get(partId);
    const part = group?.parts.get(partId);
    if (!group || !part) return;
    part.writing = true;
    group.upload.status = 'uploading';
    group.upload.expiresAt = expiresAt;
  }

  progress(partId: string, size: number): void {
    const group = this.#byPart.get(partId);
    const part = group?.parts.get(partId);
    if (!group || !part) return;
    part.size = size;
    this.#sum(group);
    this.observer.progress(group.upload);
  }

  /** A part's request ended; the group is paused when it was cut off and no other part is still writing. */
  stopped(partId: string, size: number, cutOff: boolean): void {
    const group = this.#byPart.get(partId);
    const part = group?.parts.get(partId);
    if (!group || !part) return;
    part.writing = false;
    part.size = size;
    this.#sum(group);
    if (!cutOff || [...group.parts.values()].some((p) => p.writing)) return;
    group.upload.status = 'paused';
    this.observer.paused({ ...group.upload });
  }

  /** The final upload was created from `partIds`: the group's upload is now that upload; forget the group. */
  concatenated(partIds: readonly string[]): Upload | null {
    const group = this.#byPart.get(partIds[0] ?? '');
    if (!group || partIds.some((id) => this.#byPart.get(id) !== group)) return null;
    this.#forget(group);
    return group.upload;
  }

  /** A part was terminated or expired: the whole file ends so for watchers. */
  ended(partId: string, how: 'aborted' | 'expired'): void {
    const group = this.#byPart.get(partId);
    if (!group) return;
    this.#forget(group);
    group.upload.status = 'aborted';
    if (how === 'aborted') this.observer.aborted({ ...group.upload });
    else this.observer.expired({ ...group.upload });
  }

  #sum(group: Group): void {
    let size = 0;
    let expected = 0;
    for (const part of group.parts.values()) {
      size += part.size;
      expected += part.length;
    }
    group.upload.size = size;
    group.upload.expected = expected;
  }

  #forget(group: Group): void {
    this.#byTag.delete(group.tag);
    for (const id of group.parts.keys()) this.#byPart.delete(id);
  }
}
