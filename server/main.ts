// Process entry: settings → app → listen; on SIGTERM/SIGINT stop taking uploads, give the ones in
// flight SHUTDOWN_GRACE_MS to finish, then close whatever is left.
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`livedrop: ${error.message}`);
  process.exit(1);
}

const app = await buildApp(config);
await app.listen({ port: config.port, host: config.host });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
  // Uploads still running after the grace period are cut (their temp files are removed as aborts).
  const force = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs);
  force.unref();
  await app.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
