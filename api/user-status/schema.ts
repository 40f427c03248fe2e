import { z } from 'zod';
import type { ChangeUserStatusResult } from '../../messages/user-status';
import { idempotencyKey } from '../http/fields';
import { plainText } from '../http/fields';
import { named, type Holds, type SameShape } from '../openapi/registry';
import { credentialNotification } from '../openapi/responses';

/** POST /users/{userId}/lock|unlock|close. */
export const userStatusRequest = named(
  'UserStatusRequest',
  z.strictObject({
    requestId: idempotencyKey.optional(),
    reason: plainText(3, 200),
  }),
);
export type UserStatusRequest = z.infer<typeof userStatusRequest>;

const ibUserStatus = named(
  'IbUserStatus',
  z.enum(['PENDING_AUTHORISATION', 'ACTIVE', 'LOCKED', 'REJECTED', 'DEACTIVATED']),
);

export const userStatusResult = named(
  'UserStatusResult',
  z.object({
    processId: z.string(),
    status: z.literal('COMPLETED'),
    userId: z.string(),
    action: z.enum(['LOCK', 'UNLOCK', 'CLOSE']),
    previousStatus: ibUserStatus,
    userStatus: ibUserStatus,
    changed: z.boolean(),
    propagatedTo: z.array(z.string()),
    notifications: z.array(credentialNotification),
  }),
);

export type _Checks = [Holds<SameShape<typeof userStatusResult, ChangeUserStatusResult>>];
