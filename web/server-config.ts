// GET /api/config: the limits files are checked against before sending. Fetched at start (retrying
// with backoff until the server answers) and again after a network failure, since a server that went
// away may come back with different limits.

import { type ApiTarget, apiUrl, authHeaders } from './api-target.js';
import type { ServerConfig } from './api-types.js';
import { backoffDelay, feedBackoff } from './backoff.js';

export class ServerConfigSource {
  readonly #target: ApiTarget;
  #current: ServerConfig | null = null;
  #first: Promise<ServerConfig>;
  #loaded: (config: ServerConfig) => void;

  constructor(target: ApiTarget, loaded: (config: ServerConfig) => void) {
    this.#target = target;
    this.#loaded = loaded;
    this.#first = this.#untilAnswered();
  }

  /** The latest config, waiting for the first answer if there has been none yet. */
  get(): Promise<ServerConfig> {
    return this.#current ? Promise.resolve(this.#current) : this.#first;
  }

  /** Asks again now; null when the server cannot be reached. */
  async refresh(): Promise<ServerConfig | null> {
    try {
      const response = await fetch(apiUrl(this.#target, '/api/config'), {
        headers: authHeaders(this.#target),
        cache: 'no-store',
      });
      if (!response.ok) return null;
      const config = (await response.json()) as ServerConfig;
      this.#current = config;
      this.#loaded(config);
      return config;
    } catch {
      return null;
    }
  }

  async #untilAnswered(): Promise<ServerConfig> {
    for (let attempt = 0; ; attempt++) {
      const config = await this.refresh();
      if (config) return config;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, feedBackoff)));
    }
  }
}
