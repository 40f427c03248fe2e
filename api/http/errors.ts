import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../lib/logger';
import { routeList } from '../routes';
import { problemBody, problems } from './problem';
import { isAnswer, toProblem } from './to-problem';

/** Every documented route as a matcher, to tell an unknown path (404) from a wrong method (405). */
const routes = routeList.map((route) => ({
  method: route.method.toUpperCase(),
  path: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/:[A-Za-z]+/g, '[^/]+')}/?$`),
}));

export const notFound: RequestHandler = (req, res, next) => {
  // Mounted under a prefix (the Infinity routes), req.path is relative to it.
  const fullPath = req.baseUrl + req.path;
  const allowed = new Set(routes.filter((r) => r.path.test(fullPath)).map((r) => r.method));
  if (!allowed.size) return next(problems.notFound(`${req.method} ${req.path}`));
  if (allowed.has('GET')) allowed.add('HEAD');
  res.setHeader('Allow', [...allowed].join(', '));
  next(problems.methodNotAllowed());
};

/** Last handler: every error leaves as problem+json; unexpected ones are logged, never echoed. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = toProblem(err);
    if (problem.status >= 500 && !isAnswer(err)) (req.log ?? logger).error({ err }, 'unhandled error');
    if (res.headersSent) return res.end();
    for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(problem, req.originalUrl, req.requestId)));
  };
}
