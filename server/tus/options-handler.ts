// OPTIONS /api/tus: what this server speaks (tus 1.0 §OPTIONS). The client's Tus-Resumable is ignored.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { CHECKSUM_ALGORITHMS, TUS_VERSION } from './headers.js';

export const TUS_EXTENSIONS = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'termination',
  'expiration',
  'checksum',
  'concatenation',
];

export function optionsHandler(config: Config) {
  return async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .header('Tus-Version', TUS_VERSION)
      .header('Tus-Extension', TUS_EXTENSIONS.join(','))
      .header('Tus-Max-Size', String(config.maxFileSize))
      .header('Tus-Checksum-Algorithm', CHECKSUM_ALGORITHMS.join(','))
      .send();
}
