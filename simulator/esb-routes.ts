import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { Customer, IbUser } from '../adapters/core-banking/types';
import type { EsbOperation, FaultInjector } from './faults';
import { EsbHttpError, notFound, parseOrThrow } from './http-errors';
import {
  contactUpdateSchema,
  createIbUserSchema,
  deactivateSchema,
  disclosureAcceptanceSchema,
  findIbUsersQuerySchema,
  identityMatchSchema,
  securityAnswersSchema,
  setLinkedCustomersSchema,
  setPasswordSchema,
  statusChangeSchema,
} from './schemas';
import { linkedCustomersAllowed } from '../rules/eligibility';
import type { SimCustomer, SimulatorStore } from './store';

/**
 * The /esb/v1 routes: T24 customer and IB-user operations, behind fault injection.
 * Writes answer once their change is durable; answers that only read wait for
 * store.durable(), since reads already see changes still on their way to disk.
 */
export function esbRoutes(deps: { store: SimulatorStore; faults: FaultInjector; now: () => Date }): Router {
  const { store, faults, now } = deps;
  const router = Router();
  // The params type is spelled out because a middleware before the handler hides the path's own.
  const op = <P = object>(name: EsbOperation) => injectFaults<P>(faults, name);

  router.get('/customers/:customerId', op<{ customerId: string }>('getCustomer'), async (req, res) => {
    const customer = requireCustomer(store, req.params.customerId);
    await store.durable();
    res.json(publicCustomer(customer));
  });

  // Self-registration: does exactly one customer hold this identity? Only yes (with whom)
  // or no: never which field differed.
  router.post('/customers/identity-match', op('matchCustomerIdentity'), async (req, res) => {
    const typed = parseOrThrow(identityMatchSchema, req.body, 'identity match request');
    const matches = store.findCustomers((c) => identityMatches(c, typed));
    await store.durable();
    const [only] = matches;
    res.json(
      matches.length === 1 && only
        ? { matched: true, customerId: only.customerId }
        : { matched: false, customerId: null },
    );
  });

  router.post(
    '/customers/:customerId/disclosure-acceptances',
    op<{ customerId: string }>('recordDisclosureAcceptance'),
    async (req, res) => {
      const body = parseOrThrow(disclosureAcceptanceSchema, req.body, 'disclosure acceptance');
      const customer = requireCustomer(store, req.params.customerId);
      const earlier = store.disclosureAcceptance(body.businessKey);
      if (earlier) {
        if (earlier.customerId !== customer.customerId) {
          throw new EsbHttpError(409, 'DUPLICATE_BUSINESS_KEY', 'this businessKey recorded another customer');
        }
        await store.durable(); // replay: the evidence recorded the first time
        return void res.json(earlier);
      }
      const record = {
        ...body,
        acceptanceId: `DSA${crypto.randomInt(0, 100_000_000).toString().padStart(8, '0')}`,
        customerId: customer.customerId,
        recordedAt: now().toISOString(),
      };
      await store.saveDisclosureAcceptance(record);
      res.status(201).json(record);
    },
  );

  router.get('/ib-users', op('findIbUsers'), async (req, res) => {
    const filter = parseOrThrow(findIbUsersQuerySchema, req.query, 'query');
    const items = store.findIbUsers(filter);
    await store.durable();
    res.json({ items });
  });

  router.get('/ib-users/:userId', op<{ userId: string }>('getIbUser'), async (req, res) => {
    const user = requireUser(store, req.params.userId);
    await store.durable();
    res.json(user);
  });

  router.post('/ib-users', op('createIbUser'), async (req, res) => {
    const body = parseOrThrow(createIbUserSchema, req.body, 'create IB user request');
    const customer = requireCustomer(store, body.customerId);
    const business = customer.type === 'BUSINESS';
    if (!business && (body.userReference !== undefined || body.linkedCustomerIds?.length)) {
      throw new EsbHttpError(
        400,
        'VALIDATION_FAILED',
        'a retail customer has one user: no userReference or linked customers',
      );
    }
    // T24 links only the customers it relates to the business, each once, never itself; an
    // unknown id gets the same answer as an unrelated one.
    if (
      business &&
      !linkedCustomersAllowed(
        body.customerId,
        body.linkedCustomerIds ?? [],
        customer.relatedCustomerIds ?? [],
      )
    ) {
      throw new EsbHttpError(
        422,
        'LINKED_CUSTOMER_NOT_RELATED',
        'a linked customer is not related to this business customer',
      );
    }
    assertCanCreate(store, body, business);
    const at = now().toISOString();
    const user: IbUser = {
      userId: newUserId(store),
      customerId: body.customerId,
      username: body.username,
      channel: body.channel,
      // Maker-checker: with the fault on, T24 holds the record for a second officer.
      status: faults.get().pendingAuthorisation ? 'PENDING_AUTHORISATION' : 'ACTIVE',
      businessKey: body.businessKey,
      mustChangePassword: true,
      passwordSetAt: null,
      createdAt: at,
      updatedAt: at,
      deactivationReason: null,
      ...(business && {
        userReference: body.userReference ?? null,
        linkedCustomerIds: body.linkedCustomerIds ?? [],
      }),
    };
    await store.saveIbUser(user);
    res.status(201).json(user);
  });

  router.put('/ib-users/:userId/password', op<{ userId: string }>('setPassword'), async (req, res) => {
    const { password, mustChange, ifPasswordSetAt, issuedBy } = parseOrThrow(
      setPasswordSchema,
      req.body,
      'set password request',
    );
    const checked = (user: IbUser) => {
      assertPasswordSettable(user);
      assertPasswordUnchanged(user, ifPasswordSetAt);
    };
    checked(requireUser(store, req.params.userId)); // before spending a hash on it
    await store.savePassword(req.params.userId, password, (user) => {
      checked(user); // again: the user may have changed while the password was hashed
      // Strictly later than the password it replaces, so a condition on it tells them apart.
      const at = laterThan(user.passwordSetAt, now());
      return {
        ...user,
        mustChangePassword: mustChange,
        passwordSetAt: at,
        passwordIssuedBy: issuedBy ?? null,
        updatedAt: at,
      };
    });
    res.status(204).end();
  });

  router.post(
    '/ib-users/:userId/deactivate',
    op<{ userId: string }>('deactivateIbUser'),
    async (req, res) => {
      const { reason } = parseOrThrow(deactivateSchema, req.body, 'deactivate request');
      const user = requireUser(store, req.params.userId);
      if (user.status === 'DEACTIVATED') {
        await store.durable(); // idempotent: a retry must not see a deactivation a crash could undo
        return void res.json(user);
      }
      if (user.status === 'REJECTED') {
        throw new EsbHttpError(409, 'INVALID_STATE', `IB user ${user.userId} is REJECTED`, {
          status: user.status,
        });
      }
      const deactivated: IbUser = {
        ...user,
        status: 'DEACTIVATED',
        deactivationReason: reason,
        updatedAt: now().toISOString(),
      };
      await store.saveIbUser(deactivated);
      res.json(deactivated);
    },
  );

  // Lock and unlock: idempotent (the target status answers unchanged); only ACTIVE ⇄ LOCKED.
  const statusChange = (
    operation: 'lockIbUser' | 'unlockIbUser',
    from: IbUser['status'],
    to: IbUser['status'],
  ) =>
    router.post(
      `/ib-users/:userId/${operation === 'lockIbUser' ? 'lock' : 'unlock'}`,
      op<{ userId: string }>(operation),
      async (req, res) => {
        const { reason } = parseOrThrow(statusChangeSchema, req.body, `${operation} request`);
        const user = requireUser(store, req.params.userId);
        if (user.status === to) {
          await store.durable();
          return void res.json(user);
        }
        if (user.status !== from) {
          throw new EsbHttpError(409, 'INVALID_STATE', `IB user ${user.userId} is ${user.status}`, {
            status: user.status,
          });
        }
        const changed: IbUser = {
          ...user,
          status: to,
          lockReason: to === 'LOCKED' ? reason : null,
          updatedAt: now().toISOString(),
        };
        await store.saveIbUser(changed);
        res.json(changed);
      },
    );
  // A business user's linked customers, replaced as a set (a repeat is a no-op): only the
  // customers T24 relates to the business, as at creation.
  router.put(
    '/ib-users/:userId/linked-customers',
    op<{ userId: string }>('setLinkedCustomers'),
    async (req, res) => {
      const { linkedCustomerIds } = parseOrThrow(setLinkedCustomersSchema, req.body, 'linked customers');
      const user = requireUser(store, req.params.userId);
      const customer = requireCustomer(store, user.customerId);
      if (customer.type !== 'BUSINESS')
        throw new EsbHttpError(400, 'VALIDATION_FAILED', 'only a business customer has linked customers');
      if (!linkedCustomersAllowed(user.customerId, linkedCustomerIds, customer.relatedCustomerIds ?? []))
        throw new EsbHttpError(
          422,
          'LINKED_CUSTOMER_NOT_RELATED',
          'a linked customer is not related to this business customer',
        );
      const changed: IbUser = { ...user, linkedCustomerIds, updatedAt: now().toISOString() };
      await store.saveIbUser(changed);
      res.json(changed);
    },
  );
  statusChange('lockIbUser', 'ACTIVE', 'LOCKED');
  statusChange('unlockIbUser', 'LOCKED', 'ACTIVE');

  // The password stops working; the user must get a new one (reset). Idempotent.
  router.post(
    '/ib-users/:userId/password/revoke',
    op<{ userId: string }>('revokePassword'),
    async (req, res) => {
      parseOrThrow(statusChangeSchema, req.body, 'revoke password request');
      const user = requireUser(store, req.params.userId);
      if (user.passwordSetAt === null) {
        await store.durable();
        return void res.status(204).end();
      }
      await store.revokePassword({
        ...user,
        passwordSetAt: null,
        passwordIssuedBy: null,
        updatedAt: now().toISOString(),
      });
      res.status(204).end();
    },
  );

  // Salted hashes only (the schema refuses anything else); the same businessKey again is a no-op.
  router.put(
    '/ib-users/:userId/security-questions',
    op<{ userId: string }>('setSecurityAnswers'),
    async (req, res) => {
      const body = parseOrThrow(securityAnswersSchema, req.body, 'security questions');
      const user = requireUser(store, req.params.userId);
      if (store.getSecurityAnswers(user.userId)?.businessKey === body.businessKey) {
        await store.durable();
        return void res.status(204).end();
      }
      if (user.status !== 'ACTIVE') {
        throw new EsbHttpError(409, 'INVALID_STATE', `IB user ${user.userId} is ${user.status}`, {
          status: user.status,
        });
      }
      await store.saveSecurityAnswers(user.userId, { ...body, updatedAt: now().toISOString() });
      res.status(204).end();
    },
  );

  router.patch(
    '/customers/:customerId/contact',
    op<{ customerId: string }>('updateContact'),
    async (req, res) => {
      const update = parseOrThrow(contactUpdateSchema, req.body, 'contact update');
      const customer = requireCustomer(store, req.params.customerId);
      const appliedTo = store.contactUpdateTarget(update.businessKey);
      if (appliedTo === customer.customerId) {
        await store.durable(); // replay: a no-op, once the first attempt's change is durable
        return void res.json(publicCustomer(customer));
      }
      if (appliedTo !== undefined) {
        throw new EsbHttpError(
          409,
          'DUPLICATE_BUSINESS_KEY',
          'businessKey already used for another customer',
        );
      }
      const changed: SimCustomer = {
        ...customer,
        ...(update.mobilePhone !== undefined && { mobilePhone: update.mobilePhone }),
        ...(update.email !== undefined && { email: update.email }),
        ...(update.postalAddress !== undefined && { postalAddress: update.postalAddress }),
      };
      await store.applyContactUpdate(update.businessKey, changed);
      res.json(publicCustomer(changed));
    },
  );

  return router;
}

/**
 * Applies the current faults before the real handler: hang, then latency, then a
 * random 503, then the injected business error for this operation.
 */
function injectFaults<P>(faults: FaultInjector, operation: EsbOperation): RequestHandler<P> {
  return async (_req, res, next) => {
    await faults.whileHung();
    const { latencyMs } = faults.get();
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (faults.rollUnavailable()) {
      return void res.status(503).json({
        errorCode: 'SERVICE_UNAVAILABLE',
        message: 'core banking temporarily unavailable (injected)',
      });
    }
    const injected = faults.takeBusinessError(operation);
    if (injected) {
      return void res.status(injected.status).json({
        errorCode: injected.errorCode,
        message: `${operation} failed: ${injected.errorCode} (injected)`,
      });
    }
    next();
  };
}

/** Names compare case-, accent- and space-insensitively. */
function sameName(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return norm(a) === norm(b);
}

/** The ESB never hands out the identity data it matches against. */
function publicCustomer(c: SimCustomer): Customer {
  const { dateOfBirth: _dob, nationalId: _nid, ...rest } = c;
  return rest;
}

function requireCustomer(store: SimulatorStore, customerId: string): SimCustomer {
  const customer = store.getCustomer(customerId);
  if (!customer) throw notFound('CUSTOMER_NOT_FOUND', customerId);
  return customer;
}

function requireUser(store: SimulatorStore, userId: string): IbUser {
  const user = store.getIbUser(userId);
  if (!user) throw notFound('USER_NOT_FOUND', userId);
  return user;
}

/** A conditional set applies only while the password in force is the one the caller saw. */
function assertPasswordUnchanged(user: IbUser, ifPasswordSetAt: string | null | undefined): void {
  if (ifPasswordSetAt === undefined || user.passwordSetAt === ifPasswordSetAt) return;
  throw new EsbHttpError(409, 'PASSWORD_CHANGED', `the password of IB user ${user.userId} changed`, {
    passwordSetAt: user.passwordSetAt,
  });
}

function laterThan(previous: string | null, now: Date): string {
  const at = now.getTime();
  const floor = previous === null ? 0 : Date.parse(previous) + 1;
  return new Date(Math.max(at, floor)).toISOString();
}

function assertPasswordSettable(user: IbUser): void {
  // A locked user gets no new password: unlocking comes first.
  if (user.status === 'DEACTIVATED' || user.status === 'REJECTED' || user.status === 'LOCKED') {
    throw new EsbHttpError(409, 'INVALID_STATE', `IB user ${user.userId} is ${user.status}`, {
      status: user.status,
    });
  }
}

/**
 * T24's create rules. T24 itself keeps no idempotency for creates: the businessKey
 * check here is what the ESB adds, and callers still check-then-create by businessKey.
 */
function assertCanCreate(
  store: SimulatorStore,
  req: { businessKey: string; customerId: string; username: string; userReference?: string },
  business: boolean,
) {
  const [sameKey] = store.findIbUsers({ businessKey: req.businessKey });
  if (sameKey) {
    throw new EsbHttpError(
      409,
      'DUPLICATE_BUSINESS_KEY',
      'an IB user was already created with this businessKey',
      {
        userId: sameKey.userId,
      },
    );
  }
  if (store.findIbUsers({ username: req.username }).length > 0) {
    throw new EsbHttpError(409, 'USERNAME_TAKEN', 'username is already taken');
  }
  const live = store.findIbUsers({ customerId: req.customerId }).find(
    (u) =>
      (u.status === 'ACTIVE' || u.status === 'PENDING_AUTHORISATION') &&
      // A business customer has one live user per employee reference.
      (!business || (u.userReference ?? null) === (req.userReference ?? null)),
  );
  if (live) {
    throw new EsbHttpError(409, 'ALREADY_REGISTERED', `customer ${req.customerId} already has an IB user`, {
      userId: live.userId,
      status: live.status,
    });
  }
}

/** `IBU` + 8 random digits, unique in the store. */
function newUserId(store: SimulatorStore): string {
  for (;;) {
    const userId = `IBU${String(crypto.randomInt(0, 100_000_000)).padStart(8, '0')}`;
    if (!store.getIbUser(userId)) return userId;
  }
}

/**
 * Name and date of birth always; then every further factor typed that the bank holds (a
 * national id typed must be on file). A factor the customer record lacks is not compared.
 */
function identityMatches(c: SimCustomer, typed: z.infer<typeof identityMatchSchema>): boolean {
  if (!c.dateOfBirth || c.dateOfBirth !== typed.dateOfBirth) return false;
  if (!sameName(c.firstName, typed.firstName) || !sameName(c.lastName, typed.lastName)) return false;
  const id = c.nationalId?.toUpperCase();
  if ((typed.nationalId || typed.nationalIdLast4) && !id) return false;
  if (typed.nationalId && id !== typed.nationalId.toUpperCase()) return false;
  if (typed.nationalIdLast4 && id?.slice(-4) !== typed.nationalIdLast4.toUpperCase()) return false;
  if (typed.mobilePhone && c.mobilePhone && c.mobilePhone !== typed.mobilePhone) return false;
  if (typed.email && c.email && c.email.toLowerCase() !== typed.email.toLowerCase()) return false;
  if (
    typed.mothersMaidenName &&
    c.mothersMaidenName &&
    !sameName(c.mothersMaidenName, typed.mothersMaidenName)
  )
    return false;
  const a = typed.postalAddress;
  const onFile = c.postalAddress;
  if (a && onFile) {
    const samePostal = (x?: string, y?: string) =>
      !x || !y || x.replace(/\s+/g, '').toUpperCase() === y.replace(/\s+/g, '').toUpperCase();
    if (!sameName(onFile.line1, a.street) || !sameName(onFile.city, a.city)) return false;
    if (!samePostal(onFile.postalCode, a.zipCode) || onFile.country.toUpperCase() !== a.country.toUpperCase())
      return false;
  }
  return true;
}
