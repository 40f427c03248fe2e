import { randomBytes } from 'node:crypto';
import { coreMarkerData } from '../helpers/history';
import { startJaeger, type Jaeger, type JaegerSpan } from '../helpers/jaeger';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * Traces in a real backend: the API and worker export OTLP/HTTP to Jaeger (the build
 * scripts/provision.sh makes from its Go module, with Compose's config), and the test reads
 * the onboarding's trace back from Jaeger's query API, as an ops user opening it would.
 */
describe('traces in Jaeger', () => {
  let jaeger: Jaeger;
  let stack: Stack;

  beforeAll(async () => {
    jaeger = await startJaeger();
    stack = await startStack({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await jaeger?.stop();
  });

  /** Flushes both processes and asks Jaeger until `done` holds (workflow spans leave the sandbox late). */
  async function traceOf(traceId: string, done: (spans: JaegerSpan[]) => boolean): Promise<JaegerSpan[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await stack.flushTraces();
      const spans = await jaeger.trace(traceId);
      if (done(spans) || Date.now() > deadline) return spans;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  it('holds one onboarding as one trace: HTTP request, workflow start and run, each activity, the core-banking calls', async () => {
    // The caller's trace context (W3C traceparent); a leading non-zero digit, as Jaeger prints ids.
    const traceId = `a${randomBytes(16).toString('hex').slice(1)}`;
    const callerSpanId = randomBytes(8).toString('hex');
    const token = await stack.token('ib-users:write');
    const res = await call(stack.apiUrl, 'POST', '/open-user-ib', {
      token,
      body: {
        requestId: 'jaeger-open-0001',
        customerId: '100005',
        channel: 'MOBILE',
        acceptedDisclosures: ['IB_TERMS', 'PRIVACY'],
      },
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('COMPLETED');

    // Every activity the run executed, from its history: scheduled ones and local ones.
    const history = await stack.client.workflow.getHandle('onboard-100005').fetchHistory();
    const activities = new Set([
      ...(history.events ?? []).flatMap(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
      ),
      ...coreMarkerData(history)
        .filter((m) => m.marker === 'core_local_activity')
        .map((m) => String(m.activity_type)),
    ]);
    expect(activities.size).toBeGreaterThan(2);

    const names = (spans: JaegerSpan[]) => new Set(spans.map((s) => s.operationName));
    const spans = await traceOf(traceId, (all) =>
      [
        'POST /open-user-ib',
        'RunWorkflow:OnboardIbUser',
        ...[...activities].map((a) => `RunActivity:${a}`),
      ].every((n) => names(all).has(n)),
    );
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s?: JaegerSpan) => (s?.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const one = (name: string) => {
      const found = spans.filter((s) => s.operationName === name);
      if (found.length !== 1) throw new Error(`${name}: ${found.length} in ${[...names(spans)].join(', ')}`);
      return found[0] as JaegerSpan;
    };

    // HTTP server span (continuing the caller's) → StartWorkflow → RunWorkflow
    const server = one('POST /open-user-ib');
    expect(server).toMatchObject({ service: 'ibmb-api', parentSpanId: callerSpanId });
    expect(server.tags).toMatchObject({ 'http.route': '/open-user-ib', 'http.response.status_code': 201 });
    const start = one('StartWorkflow:OnboardIbUser');
    expect(start).toMatchObject({ service: 'ibmb-api', parentSpanId: server.spanId });
    const run = one('RunWorkflow:OnboardIbUser');
    expect(run).toMatchObject({ service: 'ibmb-worker', parentSpanId: start.spanId });

    // → StartActivity → RunActivity, for every activity of the run
    for (const activity of activities) {
      const runs = spans.filter((s) => s.operationName === `RunActivity:${activity}`);
      expect({ activity, traced: runs.length > 0 }).toEqual({ activity, traced: true });
      for (const ran of runs) {
        const scheduled = parentOf(ran);
        expect({ activity, scheduled: scheduled?.operationName }).toEqual({
          activity,
          scheduled: `StartActivity:${activity}`,
        });
        expect(parentOf(scheduled)).toBe(run);
      }
    }

    // → the core-banking calls, client spans of the activities that made them
    const coreBanking = spans.filter((s) => s.operationName.startsWith('core-banking '));
    expect(coreBanking.map((s) => s.operationName)).toEqual(
      expect.arrayContaining(['core-banking getCustomer', 'core-banking createIbUser']),
    );
    for (const cb of coreBanking) {
      expect(parentOf(cb)?.operationName).toMatch(/^RunActivity:/);
      expect(cb).toMatchObject({ service: 'ibmb-worker', tags: { 'span.kind': 'client' } });
    }

    // What Jaeger keeps holds nothing personal or secret: not the number, not the password.
    const password = /first-time password is (\S+)\./.exec(
      String(stack.outbox('sms').find((m) => m.to === '+254700100005')?.body),
    )?.[1];
    expect(password).toBeTruthy();
    const stored = JSON.stringify(await (await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`)).json());
    expect(stored).not.toContain('700100005');
    expect(stored).not.toContain(password as string);
    expect(stored).not.toMatch(/Grace|Njeri/);
  }, 120_000);
});
