import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeVersioningBehavior, type WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { encryptingDataConverter } from '../../lib/codec/data-converter';
import { consumeUpdate, mfaProcessId } from '../../messages/mfa';
import { createWorker, type Workers } from '../../worker/create-worker';
import { activityDeps } from '../../worker/deps';
import { repoRoot, temporalCliPath, workflowBundlePath } from '../setup/tools';
import { call, startStack, type Stack } from '../helpers/stack';
import { setCurrentVersion, setRampingVersion, type CliTarget } from '../helpers/worker-deployment-cli';

type History = temporal.api.history.v1.IHistory;

/**
 * Two builds of the worker side by side on the dev server. Build one is made current by
 * scripts/worker-version.ts (Compose's worker-version job), build two by the commands
 * docs/operations.md gives ops (`temporal worker deployment set-ramping-version`,
 * `set-current-version`). A challenge started on build one finishes on build one after
 * build two took over; new challenges run on build two; the destination quota (an entity)
 * that build one started continues, same run, on build two.
 */
describe('Worker Versioning: two builds side by side', () => {
  const deploymentName = `ibmb-e2e-${randomBytes(4).toString('hex')}`;
  const one: WorkerDeploymentVersion = { deploymentName, buildId: '0.1.0+build-one' };
  const two: WorkerDeploymentVersion = { deploymentName, buildId: '0.1.0+build-two' };
  let stack: Stack;
  let cli: CliTarget;
  let buildTwo: Workers | undefined;
  let buildTwoRun: Promise<void> | undefined;
  let token: string;

  beforeAll(async () => {
    stack = await startStack({}, { deployment: one });
    cli = { cli: temporalCliPath, address: stack.env.address, namespace: stack.env.namespace ?? 'default' };
    // As Compose's job runs it, with the worker's settings.
    await promisify(execFile)(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'),
        path.join(repoRoot, 'scripts/worker-version.ts'),
      ],
      {
        env: {
          PATH: process.env.PATH,
          TEMPORAL_ADDRESS: stack.env.address,
          TEMPORAL_NAMESPACE: cli.namespace,
          WORKER_DEPLOYMENT_NAME: one.deploymentName,
          WORKER_BUILD_ID: one.buildId,
        },
      },
    );
    token = await stack.token('mfa:write mfa:any-user processes:read');
  }, 120_000);
  afterAll(async () => {
    buildTwo?.shutdown();
    await buildTwoRun;
    await stack?.stop();
  });

  const create = async (phone: string) => {
    const res = await call(stack.apiUrl, 'POST', '/mfa/challenges', {
      token,
      body: { purpose: 'ONBOARDING', phone },
    });
    expect(res.status).toBe(201);
    return { serviceKey: String(res.body.serviceKey), securityKey: String(res.body.securityKey) };
  };
  const codeOf = (serviceKey: string) =>
    /(\d{6}) is your verification code/.exec(
      String(stack.outbox('sms').find((m) => String(m.id).startsWith(`${mfaProcessId(serviceKey)}.`))?.body),
    )?.[1] as string;
  /** Verifies the challenge and consumes it, as the process using it would: the run ends. */
  const finish = async ({ serviceKey, securityKey }: { serviceKey: string; securityKey: string }) => {
    const verified = await call(stack.apiUrl, 'POST', `/mfa/challenges/${serviceKey}/verify`, {
      token,
      body: { securityKey, otp: codeOf(serviceKey) },
    });
    expect(verified.status).toBe(200);
    const handle = stack.client.workflow.getHandle(mfaProcessId(serviceKey));
    await handle.executeUpdate(consumeUpdate, {
      args: [{ purpose: 'ONBOARDING', consumerProcessId: 'versioning-test' }],
    });
    await handle.result();
    return handle.fetchHistory();
  };
  /** Build id and behaviour of every completed workflow task, in order. */
  const tasksOf = (history: History) =>
    (history.events ?? [])
      .map((e) => e.workflowTaskCompletedEventAttributes)
      .filter((a) => !!a)
      .map((a) => ({
        buildId: a.deploymentVersion?.buildId,
        behaviour: decodeVersioningBehavior(a.versioningBehavior),
      }));
  /** The destination quotas' runs (the caller's quotas are shards a later send may not reach). */
  const destinationQuotas = async () => {
    const runs = [];
    for await (const w of stack.client.workflow.list({
      query: `WorkflowType = 'MfaDestinationQuota' AND TaskQueue = '${stack.config.entityTaskQueue}'`,
    }))
      if (w.workflowId.startsWith('mfa-quota-')) runs.push(w);
    return runs;
  };

  it('finishes a pinned run on the build it started on, sends new runs to the new build, and moves the entity', async () => {
    const phone = `+2547004${String(randomBytes(2).readUInt16BE() % 100_000).padStart(5, '0')}`;
    const first = await create(phone);
    const quotaBefore = await destinationQuotas();
    expect(quotaBefore).toHaveLength(1);

    // Build two comes up beside build one, is ramped to every new run, then made current.
    buildTwo = await createWorker({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace ?? 'default',
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      entityTaskQueue: stack.config.entityTaskQueue,
      deps: activityDeps(stack.config, stack.client),
      workflowBundlePath,
      dataConverter: encryptingDataConverter(stack.config, stack.codec),
      deployment: two,
    });
    buildTwoRun = buildTwo.run();
    await setRampingVersion(cli, two, 100);
    const second = await create(phone);
    await setCurrentVersion(cli, two);
    // Again, as a restarted `npm start` or Compose job on the same build does: a no-op.
    await setCurrentVersion(cli, two, 5_000);

    // The first challenge's verify and consume come after the switch: still build one.
    const firstTasks = tasksOf(await finish(first));
    expect(firstTasks.length).toBeGreaterThanOrEqual(3);
    expect(firstTasks).toEqual(firstTasks.map(() => ({ buildId: one.buildId, behaviour: 'PINNED' })));
    const secondTasks = tasksOf(await finish(second));
    expect(secondTasks).toEqual(secondTasks.map(() => ({ buildId: two.buildId, behaviour: 'PINNED' })));

    // The destination's quota, an entity build one started, is the same run, now served by
    // build two: its first task on one, its latest (the second challenge's send) on two.
    const quotaAfter = await destinationQuotas();
    expect(quotaAfter.map((w) => w.runId)).toEqual(quotaBefore.map((w) => w.runId));
    const [quota] = quotaBefore;
    const quotaHandle = stack.client.workflow.getHandle(String(quota?.workflowId), quota?.runId);
    const quotaTasks = tasksOf(await quotaHandle.fetchHistory());
    expect(quotaTasks[0]).toEqual({ buildId: one.buildId, behaviour: 'AUTO_UPGRADE' });
    expect(quotaTasks.at(-1)).toEqual({ buildId: two.buildId, behaviour: 'AUTO_UPGRADE' });
  }, 120_000);
});
