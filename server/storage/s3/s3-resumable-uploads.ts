// A resumable blob's multipart upload as S3 holds it (key layout in s3-client.ts): which upload it
// is, what it durably holds, and sealing it into the object P<id>. The blob store (s3-blob-store.ts)
// writes and reads through this; the durable state is read from S3 every time, never assumed, so a
// restart or another node sees the same offset.
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type Part,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Keys } from './s3-client.js';
import { isS3NotFound, notFound } from './s3-errors.js';

/** A resumable blob's durable state as S3 holds it. */
export interface ResumableState {
  uploadId: string;
  /** Parts 1..n without a gap (a part past a gap was never acknowledged: it is overwritten). */
  parts: Part[];
  partBytes: number;
  tail: { bytes: number; afterPart: number } | null;
}

export class S3ResumableUploads {
  /** Multipart upload ids of resumable blobs this node has seen (others are found by listing). */
  readonly #uploadIds = new Map<string, string>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly keys: S3Keys,
  ) {}

  async create(id: string): Promise<void> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.keys.data(id) }),
    );
    this.#uploadIds.set(id, UploadId!);
  }

  /** The multipart upload of a resumable blob, or null (none: sealed, removed or never created). */
  async find(id: string): Promise<string | null> {
    const cached = this.#uploadIds.get(id);
    if (cached) return cached;
    const key = this.keys.data(id);
    const { Uploads = [] } = await this.client.send(
      new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key }),
    );
    const upload = Uploads.filter((u) => u.Key === key).at(-1);
    if (!upload?.UploadId) return null;
    this.#uploadIds.set(id, upload.UploadId);
    return upload.UploadId;
  }

  /** Aborts the blob's multipart upload, if it has one. */
  async remove(id: string): Promise<void> {
    const uploadId = await this.find(id);
    if (uploadId) await this.abort(this.keys.data(id), uploadId);
    this.#uploadIds.delete(id);
  }

  async abort(key: string, uploadId: string): Promise<void> {
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
      .catch((error) => {
        if (!isS3NotFound(error)) throw error;
      });
  }

  /** The parts ListParts shows without a gap, plus the tail if it follows the last of them; null when there is no multipart upload. */
  async state(id: string): Promise<ResumableState | null> {
    const uploadId = await this.find(id);
    if (!uploadId) return null;
    const listed = await this.#listParts(id, uploadId);
    listed.sort((a, b) => a.PartNumber! - b.PartNumber!);
    let parts: Part[] = [];
    for (const part of listed) {
      if (part.PartNumber !== parts.length + 1) break;
      parts.push(part);
    }
    let tail: ResumableState['tail'] = null;
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.keys.tail(id) }),
      );
      const afterPart = Number(head.Metadata?.['after-part']);
      // The tail object is also the commit mark of the last finished append: parts after the one it
      // follows belong to an append that never finished (a crash, or abandon()) and do not count.
      if (Number.isSafeInteger(afterPart) && afterPart <= parts.length) {
        parts = parts.slice(0, afterPart);
        tail = { bytes: head.ContentLength ?? 0, afterPart };
      }
    } catch (error) {
      if (!isS3NotFound(error)) throw error;
    }
    const partBytes = parts.reduce((sum, part) => sum + part.Size!, 0);
    return { uploadId, parts, partBytes, tail };
  }

  async #listParts(id: string, uploadId: string): Promise<Part[]> {
    const listed: Part[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.client
        .send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: this.keys.data(id),
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        )
        .catch((error) => {
          if (isS3NotFound(error)) this.#uploadIds.delete(id);
          throw error;
        });
      listed.push(...(page.Parts ?? []));
      if (!page.IsTruncated || !page.NextPartNumberMarker) return listed;
      marker = page.NextPartNumberMarker;
    }
  }

  async objectSize(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isS3NotFound(error)) return null;
      throw error;
    }
  }

  async getBytes(key: string): Promise<Buffer> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await Body!.transformToByteArray());
  }

  /**
   * Completes a resumable blob into the object P<id>: the tail becomes the last part (or, with no
   * part at all, the whole object). Already sealed is fine; no blob at all rejects.
   */
  async seal(id: string): Promise<void> {
    const key = this.keys.data(id);
    const state = await this.state(id);
    if (!state) {
      if ((await this.objectSize(key)) === null) throw notFound(key);
      return;
    }
    const tailKey = this.keys.tail(id);
    const tail = state.tail ? await this.getBytes(tailKey) : Buffer.alloc(0);
    if (state.parts.length === 0) {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: tail, ContentLength: tail.length }),
      );
      await this.abort(key, state.uploadId);
    } else {
      const parts: CompletedPart[] = state.parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }));
      if (tail.length > 0) {
        const PartNumber = parts.length + 1;
        const { ETag } = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: state.uploadId,
            PartNumber,
            Body: tail,
            ContentLength: tail.length,
          }),
        );
        parts.push({ PartNumber, ETag });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: state.uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    }
    this.#uploadIds.delete(id);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tailKey })).catch(() => {});
  }
}
