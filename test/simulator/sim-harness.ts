import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../lib/logger';
import { createSimulatorApp } from '../../simulator/app';
import { FaultInjector, type FaultPatch } from '../../simulator/faults';
import { SimulatorStore, type StoreOptions } from '../../simulator/store';

/** A simulator listening on 127.0.0.1:<random port> with its own DATA_DIR. */
export interface RunningSimulator {
  baseUrl: string;
  dataDir: string;
  store: SimulatorStore;
  faults: FaultInjector;
  call(method: string, urlPath: string, body?: unknown, init?: RequestInit): Promise<HttpResult>;
  setFaults(patch: FaultPatch): Promise<void>;
  /** Creates a fresh eligible customer via /admin and returns its id. */
  newCustomer(overrides?: Record<string, unknown>): Promise<string>;
  /** Stops the server and closes the store; calling it again is harmless. */
  close(): Promise<void>;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies inspected freely in tests
  body: any;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ibmb-sim-'));
}

let customerSeq = 0;

/** Starts a simulator; close() closes its store, and removes a DATA_DIR it made itself. */
export async function startSimulator(
  givenDataDir?: string,
  storeOptions: StoreOptions = {},
): Promise<RunningSimulator> {
  const dataDir = givenDataDir ?? tempDataDir();
  const store = SimulatorStore.open(dataDir, storeOptions); // seeds the demo customers when empty
  const faults = new FaultInjector();
  const app = createSimulatorApp({
    store,
    faults,
    logger: createLogger({ name: 'sim-test', level: 'silent' }),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call = async (
    method: string,
    urlPath: string,
    body?: unknown,
    init: RequestInit = {},
  ): Promise<HttpResult> => {
    const res = await fetch(baseUrl + urlPath, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };

  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    dataDir,
    store,
    faults,
    call,
    async setFaults(patch) {
      const res = await call('PUT', '/admin/faults', patch);
      if (res.status !== 200) throw new Error(`PUT /admin/faults: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async newCustomer(overrides = {}) {
      const customerId = `${process.pid % 1000}${Date.now() % 100000}${++customerSeq}`;
      const res = await call('POST', '/admin/customers', {
        customerId,
        firstName: 'Test',
        lastName: `Customer${customerSeq}`,
        phone: '+254711000111',
        email: 'test.customer@example.com',
        products: [`SAV-${customerId}`],
        ...overrides,
      });
      if (res.status !== 201)
        throw new Error(`POST /admin/customers: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.customerId as string;
    },
    close() {
      closing ??= (async () => {
        faults.release();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await store.close();
        if (!givenDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** A create request whose username and businessKey are unique per call. */
let requestSeq = 0;
export function createRequest(customerId: string, overrides: Record<string, unknown> = {}) {
  const n = ++requestSeq;
  return {
    businessKey: `onboard-${customerId}-${n}-${Date.now()}`,
    customerId,
    username: `user${n}.${customerId}`.slice(0, 20),
    channel: 'MB',
    acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    ...overrides,
  };
}
