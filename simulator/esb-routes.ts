import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { Customer, IbUser } from '../adapters/core-banking/types';
import type { EsbOperation, FaultInjector } from './faults';
import { EsbHttpError, notFound, parseOrThrow } from './http-errors';
import {
  contactUpdateSchema,
  createIbUserSchema,
  deactivateSchema,
  findIbUsersQuerySchema,
  setPasswordSchema,
} from './schemas';
import type { SimulatorStore } from './store';

/** The /esb/v1 routes: T24 customer and IB-user operations, behind fault injection. */
export function esbRoutes(deps: { store: SimulatorStore; faults: FaultInjector; now: () => Date }): Router {
  const { store, faults, now } = deps;
  const router = Router();
  // The params type is spelled out because a middleware before the handler hides the path's own.
  const op = <P = object>(name: EsbOperation) => injectFaults<P>(faults, name);

  router.get('/customers/:customerId', op<{ customerId: string }>('getCustomer'), (req, res) => {
    res.json(requireCustomer(store, req.params.customerId));
  });

  router.get('/ib-users', op('findIbUsers'), (req, res) => {
    const filter = parseOrThrow(findIbUsersQuerySchema, req.query, 'query');
    res.json({ items: store.findIbUsers(filter) });
  });

  router.get('/ib-users/:userId', op<{ userId: string }>('getIbUser'), (req, res) => {
    res.json(requireUser(store, req.params.userId));
  });

  router.post('/ib-users', op('createIbUser'), (req, res) => {
    const body = parseOrThrow(createIbUserSchema, req.body, 'create IB user request');
    requireCustomer(store, body.customerId);
    assertCanCreate(store, body);
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
    };
    store.saveIbUser(user);
    res.status(201).json(user);
  });

  router.put('/ib-users/:userId/password', op<{ userId: string }>('setPassword'), (req, res) => {
    const { password, mustChange } = parseOrThrow(setPasswordSchema, req.body, 'set password request');
    const user = requireUser(store, req.params.userId);
    if (user.status === 'DEACTIVATED' || user.status === 'REJECTED') {
      throw new EsbHttpError(409, 'INVALID_STATE', `IB user ${user.userId} is ${user.status}`, {
        status: user.status,
      });
    }
    const at = now().toISOString();
    store.savePassword(
      { ...user, mustChangePassword: mustChange, passwordSetAt: at, updatedAt: at },
      password,
    );
    res.status(204).end();
  });

  router.post('/ib-users/:userId/deactivate', op<{ userId: string }>('deactivateIbUser'), (req, res) => {
    const { reason } = parseOrThrow(deactivateSchema, req.body, 'deactivate request');
    const user = requireUser(store, req.params.userId);
    if (user.status === 'DEACTIVATED') return void res.json(user); // idempotent
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
    store.saveIbUser(deactivated);
    res.json(deactivated);
  });

  router.patch('/customers/:customerId/contact', op<{ customerId: string }>('updateContact'), (req, res) => {
    const update = parseOrThrow(contactUpdateSchema, req.body, 'contact update');
    const customer = requireCustomer(store, req.params.customerId);
    const appliedTo = store.contactUpdateTarget(update.businessKey);
    if (appliedTo === customer.customerId) return void res.json(customer); // replay: no-op
    if (appliedTo !== undefined) {
      throw new EsbHttpError(409, 'DUPLICATE_BUSINESS_KEY', 'businessKey already used for another customer');
    }
    const changed: Customer = {
      ...customer,
      ...(update.mobilePhone !== undefined && { mobilePhone: update.mobilePhone }),
      ...(update.email !== undefined && { email: update.email }),
      ...(update.postalAddress !== undefined && { postalAddress: update.postalAddress }),
    };
    store.applyContactUpdate(update.businessKey, changed);
    res.json(changed);
  });

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

function requireCustomer(store: SimulatorStore, customerId: string): Customer {
  const customer = store.getCustomer(customerId);
  if (!customer) throw notFound('CUSTOMER_NOT_FOUND', customerId);
  return customer;
}

function requireUser(store: SimulatorStore, userId: string): IbUser {
  const user = store.getIbUser(userId);
  if (!user) throw notFound('USER_NOT_FOUND', userId);
  return user;
}

/**
 * T24's create rules. T24 itself keeps no idempotency for creates: the businessKey
 * check here is what the ESB adds, and callers still check-then-create by businessKey.
 */
function assertCanCreate(
  store: SimulatorStore,
  req: { businessKey: string; customerId: string; username: string },
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
  const live = store
    .findIbUsers({ customerId: req.customerId })
    .find((u) => u.status === 'ACTIVE' || u.status === 'PENDING_AUTHORISATION');
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
