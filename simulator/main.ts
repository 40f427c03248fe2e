import type { Server } from 'node:http';
import { loadConfig } from '../config';
import { createLogger, type Logger } from '../lib/logger';
import { createSimulatorApp } from './app';
import { FaultInjector } from './faults';
import { SimulatorStore } from './store';

/**
 * The core-banking simulator process: `node dist/simulator/main.js`.
 * Listens on SIMULATOR_HOST:SIMULATOR_PORT, keeps state under DATA_DIR/core-banking.
 */
const SHUTDOWN_GRACE_MS = 5_000;

function main(): void {
  const config = loadConfig();
  const logger = createLogger({
    name: 'core-banking-simulator',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  const store = SimulatorStore.open(config.dataDir, { scryptN: config.SIMULATOR_SCRYPT_N });
  if (store.seeded) logger.info({ file: store.file }, 'seeded demo customers');
  const faults = new FaultInjector();
  const app = createSimulatorApp({ store, faults, logger });

  const server = app.listen(config.SIMULATOR_PORT, config.SIMULATOR_HOST, (err?: Error) => {
    if (err) {
      logger.fatal({ err: { name: err.name, message: err.message } }, 'simulator could not listen');
      process.exit(1);
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.SIMULATOR_PORT;
    logger.info({ host: config.SIMULATOR_HOST, port, stateFile: store.file }, 'simulator listening');
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'simulator shutting down');
    shutdown(server, faults, store, logger);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function shutdown(server: Server, faults: FaultInjector, store: SimulatorStore, logger: Logger): void {
  // Held (hung) requests would keep close() waiting forever: let them finish first.
  faults.release();
  const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  force.unref();
  server.close(() => {
    // Every answered write is durable already; this waits for the rest and compacts the journal.
    store.close().then(
      () => {
        logger.info('simulator stopped');
        process.exit(0);
      },
      (err: unknown) => {
        const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
        logger.error({ err: { name, message } }, 'simulator could not save its state');
        process.exit(1);
      },
    );
  });
  server.closeIdleConnections();
}

main();
