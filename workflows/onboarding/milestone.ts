import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  setHandler,
} from '@temporalio/workflow';
import { userCreatedUpdate, type OnboardingMilestone } from '../../messages/onboarding';

/**
 * Early Return: the `userCreated` Update answers as soon as the user exists, while the
 * run goes on with the username sync and the first-time password. A run that fails first
 * rejects it with the same business failure the run ends with.
 */
export class UserCreatedMilestone {
  private reached: OnboardingMilestone | undefined;
  private failure: ApplicationFailure | undefined;
  private awaited = false;
  private released = false;

  constructor() {
    setHandler(userCreatedUpdate, async () => {
      this.awaited = true;
      await condition(() => this.reached !== undefined || this.failure !== undefined);
      if (this.reached) return this.reached;
      throw this.failure;
    });
  }

  reach(milestone: OnboardingMilestone): void {
    this.reached = milestone;
  }

  fail(err: unknown): void {
    this.failure =
      err instanceof ApplicationFailure
        ? err
        : ApplicationFailure.create({
            type: 'ONBOARDING_FAILED',
            message: 'Onboarding failed.',
            nonRetryable: true,
          });
  }

  /**
   * Before the run ends: lets a waiting Update answer first. Only when one came (runs
   * without it, all of them before Early Return, do exactly as before), and shielded from
   * the run's cancellation, which would otherwise fail the wait itself.
   */
  async settled(): Promise<void> {
    if (this.awaited) await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  }

  /**
   * True once, for the first step after the milestone while a caller waits for it: that
   * step runs as a regular activity, so the workflow task (held open while local
   * activities run) completes and carries the answer out. Otherwise false: the rest of the
   * run stays in the worker.
   */
  releaseTask(): boolean {
    if (!this.reached || !this.awaited || this.released) return false;
    this.released = true;
    return true;
  }
}
