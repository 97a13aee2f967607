// Baseline "raw pipe": the ceiling for upload ingest. A bare node:http server that pipes every request
// body, unparsed, to a new file in UPLOAD_DIR and answers 201. Nothing can store bytes with less work.
// Env: PORT, HOST, UPLOAD_DIR.
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const uploadDir = process.env.UPLOAD_DIR ?? 'uploads';
mkdirSync(uploadDir, { recursive: true });

const server = createServer((req, res) => {
  const id = randomUUID();
  pipeline(req, createWriteStream(join(uploadDir, id))).then(
    () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id })),
    (error: Error) => res.writeHead(500).end(error.message),
  );
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
