import { Router } from 'express';
import type { IbUser } from '../adapters/core-banking/types';
import { faultPatchSchema, type FaultInjector } from './faults';
import { EsbHttpError, notFound, parseOrThrow } from './http-errors';
import { normaliseAnswer } from '../lib/security-answers';
import { verifyPasswordHash } from './passwords';
import {
  adminCreateCustomerSchema,
  authoriseSchema,
  verifyAnswerSchema,
  verifyPasswordSchema,
} from './schemas';
import type { SimCustomer, SimulatorStore } from './store';

/**
 * /admin routes for tests and demos: create customers, inspect state, play the
 * checker in maker-checker, and set faults. Faults never apply here. As on /esb,
 * writes answer once durable and reads wait for store.durable().
 */
export function adminRoutes(deps: { store: SimulatorStore; faults: FaultInjector; now: () => Date }): Router {
  const { store, faults, now } = deps;
  const router = Router();

  router.post('/customers', async (req, res) => {
    const body = parseOrThrow(adminCreateCustomerSchema, req.body, 'customer');
    if (store.getCustomer(body.customerId)) {
      throw new EsbHttpError(409, 'CUSTOMER_EXISTS', `customer ${body.customerId} already exists`);
    }
    if (body.relatedCustomerIds?.length && body.type !== 'BUSINESS') {
      throw new EsbHttpError(400, 'VALIDATION_FAILED', 'only a business customer has related customers');
    }
    const customer: SimCustomer = {
      customerId: body.customerId,
      firstName: body.firstName,
      lastName: body.lastName,
      mobilePhone: body.phone ?? null,
      email: body.email ?? null,
      ...(body.postalAddress !== undefined && { postalAddress: body.postalAddress }),
      products: body.products,
      status: body.status ?? 'ACTIVE',
      // Absent type: RETAIL. Identity data only when given (self-registration matches on it).
      ...(body.type !== undefined && { type: body.type }),
      ...(body.type === 'BUSINESS' && { relatedCustomerIds: body.relatedCustomerIds ?? [] }),
      ...(body.dateOfBirth != null && { dateOfBirth: body.dateOfBirth }),
      ...(body.nationalId != null && { nationalId: body.nationalId }),
      ...(body.mothersMaidenName != null && { mothersMaidenName: body.mothersMaidenName }),
    };
    await store.saveCustomer(customer);
    res.status(201).json(customer);
  });

  router.get('/customers/:customerId', async (req, res) => {
    const customer = store.getCustomer(req.params.customerId);
    if (!customer) throw notFound('CUSTOMER_NOT_FOUND', req.params.customerId);
    const ibUsers = store.findIbUsers({ customerId: customer.customerId });
    const disclosureAcceptances = store.disclosureAcceptancesOf(customer.customerId);
    await store.durable();
    res.json({ ...customer, ibUsers, disclosureAcceptances });
  });

  router.get('/faults', (_req, res) => {
    res.json(faults.get());
  });

  router.put('/faults', (req, res) => {
    res.json(faults.update(parseOrThrow(faultPatchSchema, req.body, 'faults')));
  });

  router.delete('/faults', (_req, res) => {
    res.json(faults.reset());
  });

  // The checker's decision on a user the maker created while pendingAuthorisation was on.
  router.post('/ib-users/:userId/authorise', async (req, res) => {
    const { decision } = parseOrThrow(authoriseSchema, req.body, 'authorisation');
    const user = store.getIbUser(req.params.userId);
    if (!user) throw notFound('USER_NOT_FOUND', req.params.userId);
    if (user.status !== 'PENDING_AUTHORISATION') {
      throw new EsbHttpError(409, 'INVALID_STATE', `IB user ${user.userId} is ${user.status}`, {
        status: user.status,
      });
    }
    const decided: IbUser = {
      ...user,
      status: decision === 'APPROVE' ? 'ACTIVE' : 'REJECTED',
      updatedAt: now().toISOString(),
    };
    await store.saveIbUser(decided);
    res.json(decided);
  });

  // Lets tests prove the active password is the one sent by SMS, without the store ever holding it.
  router.post('/ib-users/:userId/verify-password', async (req, res) => {
    const { password } = parseOrThrow(verifyPasswordSchema, req.body, 'password check');
    if (!store.getIbUser(req.params.userId)) throw notFound('USER_NOT_FOUND', req.params.userId);
    const matches = await store.verifyPassword(req.params.userId, password);
    await store.durable();
    res.json({ matches });
  });

  // Lets tests prove an answer was stored as a salted hash of itself, never in clear.
  router.post('/ib-users/:userId/verify-security-answer', async (req, res) => {
    const { questionId, answer } = parseOrThrow(verifyAnswerSchema, req.body, 'answer check');
    const stored = store.getSecurityAnswers(req.params.userId);
    const hash = stored?.questions.find((q) => q.questionId === questionId)?.answerHash;
    const matches = hash !== undefined && (await verifyPasswordHash(normaliseAnswer(answer), hash));
    await store.durable();
    res.json({ matches, stored: stored ?? null });
  });

  return router;
}
