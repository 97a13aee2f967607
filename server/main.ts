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

// Opening the storage checks it (an S3 bucket that is missing or unreachable): same one-line exit.
const app = await buildApp(config).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`livedrop: ${error.message}`);
  process.exit(1);
});
installGracefulShutdown(app, { graceMs: config.shutdownGraceMs });
await app.listen({ port: config.port, host: config.host });
