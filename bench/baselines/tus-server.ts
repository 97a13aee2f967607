// Baseline "@tus/server": the Node tus anchor (tus-node-server), with its FileStore, as its README sets
// it up on node:http. The peer of livedrop's /api/tus in bench/tus-ingest.ts.
// Env: PORT, HOST, UPLOAD_DIR.
import { createServer } from 'node:http';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const tus = new Server({
  path: '/files',
  datastore: new FileStore({ directory: process.env.UPLOAD_DIR ?? 'uploads' }),
});
const server = createServer((req, res) => void tus.handle(req, res));
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
