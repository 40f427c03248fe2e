import { z } from 'zod';

/**
 * Fault injection for the simulator's /esb routes: latency, random 503s, a chosen
 * business error for one operation, maker-checker (pending authorisation) and a
 * full hang. Lives in memory only: a restart clears every fault.
 */
export const ESB_OPERATIONS = [
  'getCustomer',
  'findIbUsers',
  'getIbUser',
  'createIbUser',
  'setPassword',
  'deactivateIbUser',
  'lockIbUser',
  'unlockIbUser',
  'revokePassword',
  'setSecurityAnswers',
  'updateContact',
  'matchCustomerIdentity',
  'recordDisclosureAcceptance',
  'setLinkedCustomers',
] as const;

export type EsbOperation = (typeof ESB_OPERATIONS)[number];

export interface BusinessErrorFault {
  operation: EsbOperation;
  errorCode: string;
  /** HTTP status to answer with; defaults by code (404 for *_NOT_FOUND, 400 for VALIDATION_FAILED, else 409). */
  status?: number;
  /** How many more calls fail; unset means every call until cleared. */
  remaining?: number;
}

export interface FaultState {
  latencyMs: number;
  /** 0..1: share of ESB calls answered 503 SERVICE_UNAVAILABLE. */
  errorRate: number;
  businessError?: BusinessErrorFault;
  /** New IB users start PENDING_AUTHORISATION and wait for the checker. */
  pendingAuthorisation: boolean;
  /** ESB routes hold every request until hang is cleared. */
  hang?: boolean;
}

const businessErrorSchema = z.strictObject({
  operation: z.enum(ESB_OPERATIONS),
  errorCode: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'UPPER_SNAKE_CASE error code'),
  status: z.number().int().min(400).max(599).optional(),
  remaining: z.number().int().min(1).optional(),
});

/** Body of PUT /admin/faults: any subset of the fields; `businessError: null` clears it. */
export const faultPatchSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  businessError: businessErrorSchema.nullable().optional(),
  pendingAuthorisation: z.boolean().optional(),
  hang: z.boolean().optional(),
});

export type FaultPatch = z.infer<typeof faultPatchSchema>;

/** A FaultInjector with no faults set. */
export function createFaults(): FaultInjector {
  return new FaultInjector();
}

function noFaults(): FaultState {
  return { latencyMs: 0, errorRate: 0, pendingAuthorisation: false, hang: false };
}

export function defaultStatusFor(errorCode: string): number {
  if (errorCode.endsWith('NOT_FOUND')) return 404;
  if (errorCode === 'VALIDATION_FAILED') return 400;
  return 409;
}

export class FaultInjector {
  private state: FaultState = noFaults();
  private releaseHung: (() => void) | undefined;
  private hung: Promise<void> = Promise.resolve();

  /** A copy of the current faults. */
  get(): FaultState {
    return structuredClone(this.state);
  }

  update(patch: FaultPatch): FaultState {
    const { businessError, hang, ...rest } = patch;
    Object.assign(this.state, rest);
    if (businessError === null) delete this.state.businessError;
    else if (businessError) this.state.businessError = { ...businessError };
    if (hang !== undefined) this.setHang(hang);
    return this.get();
  }

  reset(): FaultState {
    this.state = noFaults();
    this.setHang(false);
    return this.get();
  }

  /** Lets every held request go on (used by reset and on shutdown). */
  release(): void {
    this.setHang(false);
  }

  /** Resolves at once, or when the hang is cleared. */
  whileHung(): Promise<void> {
    return this.hung;
  }

  /** True when this call should fail with 503 (a roll of the errorRate dice). */
  rollUnavailable(): boolean {
    return this.state.errorRate > 0 && Math.random() < this.state.errorRate;
  }

  /** The injected business error for this operation, if any, counting it down. */
  takeBusinessError(operation: EsbOperation): { errorCode: string; status: number } | undefined {
    const fault = this.state.businessError;
    if (!fault || fault.operation !== operation) return undefined;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) delete this.state.businessError;
    }
    return { errorCode: fault.errorCode, status: fault.status ?? defaultStatusFor(fault.errorCode) };
  }

  private setHang(on: boolean): void {
    this.state.hang = on;
    if (on && !this.releaseHung) {
      this.hung = new Promise((resolve) => (this.releaseHung = resolve));
    } else if (!on && this.releaseHung) {
      this.releaseHung();
      this.releaseHung = undefined;
      this.hung = Promise.resolve();
    }
  }
}
