// Baseline "naive multipart": what a typical Fastify user writes with @fastify/multipart, streaming
// each file part straight to disk. Same size limit as livedrop's default so the limits are not the
// difference. Env: PORT, HOST, UPLOAD_DIR.
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';

const uploadDir = process.env.UPLOAD_DIR ?? 'uploads';
mkdirSync(uploadDir, { recursive: true });

const app = Fastify();
await app.register(multipart, { limits: { fileSize: 5 * 1024 ** 3, files: 20 } });

app.post('/api/uploads', async (req, reply) => {
  const ids: string[] = [];
  for await (const part of req.files()) {
    const id = randomUUID();
    await pipeline(part.file, createWriteStream(join(uploadDir, id)));
    ids.push(id);
  }
  return reply.code(201).send({ ids });
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => process.exit(0));
