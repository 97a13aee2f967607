// Baseline: the least a Node server can do with an upload — pipe the raw request body to a file.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

let n = 0;
http
  .createServer((request, response) => {
    const file = createWriteStream(join(process.env.UPLOAD_DIR!, `raw-${n++}`));
    request.pipe(file);
    file.on('finish', () => response.end('{}'));
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
