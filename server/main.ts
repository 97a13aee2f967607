// Process entry: settings → app → listen; on SIGTERM/SIGINT stop taking uploads, give the ones in
// flight SHUTDOWN_GRACE_MS to finish, then close whatever is left.
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { installGracefulShutdown } from './shutdown.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`livedrop: ${error.message}`);
  process.exit(1);
}

const app = await buildApp(config);
installGracefulShutdown(app, { graceMs: config.shutdownGraceMs });
await app.listen({ port: config.port, host: config.host });
