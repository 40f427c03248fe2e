import { ApplicationFailure, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { cancelPhoneChangeUpdate, type CancelPhoneChangeArgs } from '../../messages/contact-change';
import type { ProcessTrail } from '../process-trail';

/**
 * The window between a consumed phone-change proof and core banking: a durable timer
 * during which the customer (or bank staff), told on the contacts on file, can cancel.
 * The cancel Update is registered for the whole run and refused outside the window.
 */
export class CoolingOff {
  private open = false;
  private cancelledBy: string | null = null;

  constructor() {
    setHandler(
      cancelPhoneChangeUpdate,
      ({ cancelledBy }: CancelPhoneChangeArgs) => {
        this.cancelledBy = cancelledBy;
        return { processId: workflowInfo().workflowId, status: 'CANCELLED' as const };
      },
      {
        validator: (_args: CancelPhoneChangeArgs) => {
          if (!this.open || this.cancelledBy !== null) {
            throw ApplicationFailure.create({
              type: 'NOT_CANCELLABLE',
              message: 'The phone change is not in its cooling-off window.',
              nonRetryable: true,
            });
          }
        },
      },
    );
  }

  /** Waits out the window; throws PHONE_CHANGE_CANCELLED when it was cancelled in it. */
  async wait(trail: ProcessTrail, ms: number): Promise<void> {
    this.open = true;
    trail.record('COOLING_OFF', 'WAITING', `${Math.round(ms / 60_000)} min, cancellable`);
    const cancelled = await condition(() => this.cancelledBy !== null, ms);
    this.open = false;
    if (cancelled) {
      trail.record('COOLING_OFF', 'FAILED', `cancelled by ${this.cancelledBy}`);
      throw ApplicationFailure.create({
        type: 'PHONE_CHANGE_CANCELLED',
        message: 'The phone change was cancelled in its cooling-off window; nothing changed.',
        nonRetryable: true,
      });
    }
    trail.record('COOLING_OFF', 'COMPLETED');
  }
}
