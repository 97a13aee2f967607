// Baseline: the textbook Fastify upload — @fastify/multipart parts piped to a write stream.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import Fastify from 'fastify';

const app = Fastify();
await app.register(fastifyMultipart, { limits: { fileSize: 10 * 1024 ** 3 } });
let n = 0;
app.post('/api/uploads', async (request) => {
  for await (const part of request.parts()) {
    if (part.type === 'file')
      await pipeline(part.file, createWriteStream(join(process.env.UPLOAD_DIR!, `naive-${n++}`)));
  }
  return {};
});
app.get('/api/health', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
