import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import { Worker } from '@temporalio/worker';
import { encryptingDataConverter } from '../../lib/codec/data-converter';
import { workflowBundlePath } from '../setup/tools';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver';
import { call, startStack, type Stack } from '../helpers/stack';

const SERVER = 2;
const CLIENT = 3;

/**
 * Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT): one onboarding through HTTP is one trace,
 * exported over OTLP/HTTP to a receiver in the test, from the API's server span through
 * the workflow and its activities to the core-banking call.
 */
describe('tracing end to end', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startStack({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  /** Flushes until `done` holds for the received spans (workflow spans leave the sandbox late). */
  async function received(done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      await stack.flushTraces();
      if (done(receiver.spans) || Date.now() > deadline) return receiver.spans;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('links the HTTP request, the workflow, its activities and the core-banking calls in one trace', async () => {
    // The caller's own trace context: the API continues it (W3C traceparent).
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const token = await stack.token('ib-users:write processes:read');
    const res = await call(stack.apiUrl, 'POST', '/open-user-ib', {
      token,
      body: {
        requestId: 'trace-open-0001',
        customerId: '100005',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('COMPLETED');

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const all = await received(
      () =>
        inTrace().some((s) => s.name === 'RunWorkflow:OnboardIbUser') &&
        inTrace().some((s) => s.name === 'POST /open-user-ib'),
    );
    expect(receiver.rejected).toEqual([]);
    const spans = inTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const one = (pred: (s: ReceivedSpan) => boolean, what: string) => {
      const found = spans.filter(pred);
      if (found.length !== 1) throw new Error(`${what}: ${found.length} spans in ${names(spans)}`);
      return found[0] as ReceivedSpan;
    };

    // HTTP server span → StartWorkflow → RunWorkflow → StartActivity → RunActivity → core-banking client span
    const server = one((s) => s.kind === SERVER, 'server span');
    expect(server).toMatchObject({
      service: 'ibmb-api',
      name: 'POST /open-user-ib',
      parentSpanId: callerSpanId,
    });
    expect(server.attributes).toMatchObject({
      'http.route': '/open-user-ib',
      'http.response.status_code': 201,
    });
    const start = one((s) => s.name === 'StartWorkflow:OnboardIbUser', 'StartWorkflow');
    expect(start).toMatchObject({ service: 'ibmb-api', parentSpanId: server.spanId });
    const run = one((s) => s.name === 'RunWorkflow:OnboardIbUser', 'RunWorkflow');
    expect(run).toMatchObject({ service: 'ibmb-worker', parentSpanId: start.spanId });

    const coreBanking = spans.filter((s) => s.kind === CLIENT && s.name.startsWith('core-banking '));
    expect(coreBanking.length).toBeGreaterThan(0);
    for (const cb of coreBanking) {
      const activity = parentOf(cb);
      expect(activity?.name).toMatch(/^RunActivity:/);
      expect(activity?.service).toBe('ibmb-worker');
      const scheduled = activity && parentOf(activity);
      expect(scheduled?.name).toBe(activity?.name.replace('RunActivity', 'StartActivity'));
      expect(scheduled && parentOf(scheduled)).toBe(run);
      expect(cb.service).toBe('ibmb-worker');
      expect(cb.attributes).toMatchObject({
        'server.address': '127.0.0.1',
        'url.template': expect.stringMatching(/^\/esb\/v1\//),
        'http.response.status_code': expect.any(Number),
      });
    }
    // The customer lookup, then the user created on the core-banking side.
    expect(coreBanking.map((s) => s.name)).toEqual(
      expect.arrayContaining(['core-banking getCustomer', 'core-banking createIbUser']),
    );
    // The credential SMS and the username webhook (outbox providers here) are spans of their activities.
    const sms = one((s) => s.name === 'sms outbox', 'sms span');
    expect(parentOf(sms)?.name).toMatch(/^RunActivity:/);

    // Nothing secret or personal in any span of the run: not the number, not the first-time password.
    const password = /first-time password is (\S+)\./.exec(
      String(stack.outbox('sms').find((m) => m.to === '+254700100005')?.body),
    )?.[1];
    expect(password).toBeTruthy();
    const text = JSON.stringify(all);
    expect(text).not.toContain('700100005');
    expect(text).not.toContain(password as string);
    expect(text).not.toMatch(/Grace|Njeri/);
    // Workflow spans carry the run's ids, not its memo (the request digest) or search attributes.
    expect(Object.keys(run.attributes)).not.toEqual(expect.arrayContaining(['memo']));
    expect(run.attributes).toMatchObject({ workflowId: 'onboard-100005', workflowType: 'OnboardIbUser' });
    expect(Object.keys(run.attributes).filter((k) => /memo|searchAttributes|lastResult/i.test(k))).toEqual(
      [],
    );

    // The traced run's history (trace headers, the interceptors' SDK flags) replays on the
    // bundle, and the replay rebuilds the same workflow spans: ids come from the run's seeded randomness.
    const history = await stack.client.workflow.getHandle('onboard-100005').fetchHistory();
    const replayed: SerializableSpan[] = [];
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: workflowBundlePath },
        dataConverter: encryptingDataConverter(stack.config, stack.codec),
        sinks: {
          exporter: {
            export: {
              fn: (_info, batch: SerializableSpan[]) => void replayed.push(...batch),
              callDuringReplay: true,
            },
          },
        },
      },
      history,
      'traced',
    );
    const replayedRun = replayed.find((s) => s.name === 'RunWorkflow:OnboardIbUser');
    expect(replayedRun?.spanContext).toMatchObject({ traceId, spanId: run.spanId });
  }, 90_000);

  it('keeps the request context when the body arrives after the headers', async () => {
    // A body in a later packet is read in the socket's callbacks, outside the middleware's
    // call: only the emitters bound to the span's context keep the workflow start inside it.
    const token = await stack.token('ib-users:write processes:read');
    const body = JSON.stringify({
      requestId: 'trace-open-0002',
      customerId: '100001',
      channel: 'MOBILE',
      acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${stack.apiUrl}/open-user-ib`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end(body), 300);
    });
    expect(status).toBe(201);
    const spans = await received((all) =>
      all.some(
        (s) =>
          s.name === 'StartWorkflow:OnboardIbUser' && s.attributes.temporalWorkflowId === 'onboard-100001',
      ),
    );
    const start = spans.find(
      (s) => s.name === 'StartWorkflow:OnboardIbUser' && s.attributes.temporalWorkflowId === 'onboard-100001',
    );
    const server = spans.find((s) => s.spanId === start?.parentSpanId);
    expect(server).toMatchObject({ name: 'POST /open-user-ib', kind: SERVER, traceId: start?.traceId });
  }, 60_000);

  it('traces an MFA challenge from its update-with-start to the SMS, with no code, key or number in it', async () => {
    const traceId = randomBytes(16).toString('hex');
    const token = await stack.token('mfa:write mfa:any-user');
    const phone = '+254700399001';
    const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      body: { purpose: 'ONBOARDING', phone },
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(res.status).toBe(201);
    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    await received(() => inTrace().some((s) => s.name === 'sms outbox'));
    const spans = inTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ancestry = (s: ReceivedSpan | undefined): string[] =>
      s ? [s.name, ...ancestry(s.parentSpanId ? byId.get(s.parentSpanId) : undefined)] : [];
    // sms → RunActivity → StartActivity in the run; the run's own span ends (and leaves the
    // sandbox) only when the challenge does, so the link to the request is the start's span.
    const chain = ancestry(spans.find((s) => s.name === 'sms outbox'));
    expect(chain).toEqual(['sms outbox', 'RunActivity:sendChallengeLeg', 'StartActivity:sendChallengeLeg']);
    const server = spans.find((s) => s.name === 'POST /mfa/challenges');
    const start = spans.find((s) => s.name === 'UpdateWithStartWorkflow:awaitInitialDelivery');
    expect(start).toMatchObject({ service: 'ibmb-api', parentSpanId: server?.spanId });
    // Both quotas join the trace: the caller's, reserved by the API before the start, and the
    // destination's, which the activity updates through the worker's client.
    const reserves = spans.filter((s) => s.name === 'HandleUpdate:reserveSend').map(ancestry);
    expect(reserves).toEqual(
      expect.arrayContaining([
        ['HandleUpdate:reserveSend', 'UpdateWithStartWorkflow:reserveSend', 'POST /mfa/challenges'],
        [
          'HandleUpdate:reserveSend',
          'UpdateWithStartWorkflow:reserveSend',
          'RunActivity:reserveDestinationSend',
          'StartActivity:reserveDestinationSend',
        ],
      ]),
    );

    const serviceKey = String(res.body.serviceKey);
    const otp = /(\d{6}) is your verification code/.exec(
      String(stack.outbox('sms').find((m) => String(m.id).startsWith(`mfa-${serviceKey}.`))?.body),
    )?.[1];
    expect(otp).toMatch(/^\d{6}$/);
    const text = JSON.stringify(spans);
    expect(text).not.toContain(otp as string);
    expect(text).not.toContain(String(res.body.securityKey));
    expect(text).not.toContain('700399001');
  }, 60_000);

  it('names server spans by route pattern, never by the raw path', async () => {
    const token = await stack.token('processes:read');
    const res = await call(stack.apiUrl, 'GET', '/processes/onboard-100005', { token });
    expect(res.status).toBe(200);
    const spans = await received((all) => all.some((s) => s.name === 'GET /processes/:processId'));
    const server = spans.find((s) => s.name === 'GET /processes/:processId');
    expect(server?.attributes['http.route']).toBe('/processes/:processId');
    expect(JSON.stringify(spans.filter((s) => s.kind === SERVER))).not.toContain('/processes/onboard-');
  }, 30_000);
});

function names(spans: ReceivedSpan[]): string {
  return spans.map((s) => s.name).join(', ');
}
