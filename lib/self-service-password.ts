import { sealer } from './sealing';

/**
 * A self-service user's password (the admin's, or a generated one) sealed under a key
 * derived from the server key with a label of its own, bound to the creating process: the
 * API seals a given one before it enters a workflow, so a decoded history holds only the
 * blob, and only the worker's activities (which share the server key) open it.
 */
export const selfServicePasswordContext = (processId: string) => `self-service-password:${processId}`;

const selfServiceSealer = sealer('self-service-password-seal', 's1');
export const sealSelfServicePassword = selfServiceSealer.seal;
export const unsealSelfServicePassword = selfServiceSealer.unseal;
