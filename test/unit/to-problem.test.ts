import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { toProblem } from '../../api/http/to-problem';
import { problemBody } from '../../api/http/problem';
import { KeyReused, MayHaveStarted, ProcessFailed, Refusal, updateRefusal } from '../../clients/refusal';

describe('toProblem: every client refusal answered in one place', () => {
  it('answers a refusal with its code, status from the one table, words and extensions', () => {
    const p = toProblem(new Refusal('CALLER_RATE_LIMITED', 'Retry in 60 s.', { retryAfterSeconds: 60 }));
    expect(p.headers).toEqual({ 'Retry-After': '60' });
    expect(problemBody(p)).toMatchObject({
      status: 429,
      code: 'CALLER_RATE_LIMITED',
      detail: 'Retry in 60 s.',
      retryAfterSeconds: 60,
    });
    // No words of its own: the code's title.
    expect(toProblem(new Refusal('SECURITY_KEY_INVALID')).detail).toBe('Security key invalid');
  });

  it('never lets a refusal detail named status replace the HTTP status', () => {
    const body = problemBody(toProblem(new Refusal('OTP_EXPIRED', undefined, { status: 'EXPIRED' })));
    expect(body).toMatchObject({ status: 410, challengeStatus: 'EXPIRED' });
  });

  it('answers the start and outcome refusals as before', () => {
    expect(problemBody(toProblem(new KeyReused()))).toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    const unsure = toProblem(new MayHaveStarted('onboard-1'));
    expect(unsure.headers).toEqual({ 'Retry-After': '5' });
    expect(problemBody(unsure)).toMatchObject({
      status: 503,
      processId: 'onboard-1',
      statusUrl: '/processes/onboard-1',
    });
    expect(problemBody(toProblem(new ProcessFailed('p-1', 'terminated')))).toMatchObject({
      status: 500,
      code: 'PROCESS_FAILED',
      detail: 'The process terminated; see its audit trail.',
      processId: 'p-1',
    });
  });

  it("reads a workflow's business refusal out of an Update failure, and nothing else", () => {
    const refused = new WorkflowUpdateFailedError(
      'update failed',
      ApplicationFailure.create({
        type: 'RESEND_TOO_SOON',
        message: 'Wait.',
        nonRetryable: true,
        details: [{ retryAfterSeconds: 12 }],
      }),
    );
    expect(updateRefusal(refused)).toMatchObject({
      code: 'RESEND_TOO_SOON',
      stated: 'Wait.',
      details: { retryAfterSeconds: 12 },
    });
    const bug = new WorkflowUpdateFailedError(
      'update failed',
      ApplicationFailure.create({ type: 'TypeError' }),
    );
    expect(updateRefusal(bug)).toBeUndefined();
    expect(toProblem(new Error('boom')).status).toBe(500);
  });
});
