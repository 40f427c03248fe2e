import { mintDevToken } from '../../lib/dev-keys';
import { loadConfig } from '../../config';
import { buildDist, startLauncher, type RunningLauncher } from '../helpers/launcher';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver';
import { call } from '../helpers/stack';

/**
 * The built processes (api/main.ts, worker/main.ts under `npm start`'s launcher) with
 * OTEL_EXPORTER_OTLP_ENDPOINT set. The batch delay is longer than the test, so every span
 * that arrives was flushed by the processes' shutdown on SIGTERM.
 */
describe('tracing in the built API and worker processes', () => {
  let receiver: OtlpReceiver;
  let launcher: RunningLauncher;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    buildDist();
    launcher = await startLauncher({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '600000' },
    });
  }, 240_000);
  afterAll(async () => {
    await launcher?.stop();
    await receiver?.close();
  }, 90_000);

  it('exports the API and worker spans of a run at shutdown, one trace, each under its service', async () => {
    const token = await mintDevToken(loadConfig({ DATA_DIR: launcher.dataDir }), {
      scopes: ['ib-users:write'],
    });
    const res = await call(launcher.apiUrl, 'POST', '/open-user-ib', {
      token,
      body: {
        requestId: 'trace-launcher-0001',
        customerId: '100001',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
    });
    expect(res.status).toBe(201);
    expect(receiver.spans).toEqual([]); // nothing exported yet: the batch waits

    launcher.process.kill('SIGTERM');
    expect(await launcher.exited).toBe(0);

    expect(receiver.rejected).toEqual([]);
    const server = receiver.spans.find((s) => s.name === 'POST /open-user-ib');
    expect(server?.service).toBe('ibmb-api');
    const trace = receiver.spans.filter((s) => s.traceId === server?.traceId);
    const start = trace.find((s) => s.name === 'StartWorkflow:OnboardIbUser');
    const run = trace.find((s) => s.name === 'RunWorkflow:OnboardIbUser');
    expect(start).toMatchObject({ service: 'ibmb-api', parentSpanId: server?.spanId });
    expect(run).toMatchObject({ service: 'ibmb-worker', parentSpanId: start?.spanId });
    expect(trace.filter((s) => s.name.startsWith('core-banking ')).map((s) => s.service)).toEqual(
      expect.arrayContaining(['ibmb-worker']),
    );
  }, 120_000);
});
