import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../lib/logger';
import { ProblemError, problemBody, problems } from '../problem';
import { isTemporalUnavailable } from '../temporal';

export const notFound: RequestHandler = (req, _res, next) =>
  next(problems.notFound(`${req.method} ${req.path}`));

/** Last handler: every error leaves as problem+json; unexpected ones are logged, never echoed. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem =
      err instanceof ProblemError
        ? err
        : isTemporalUnavailable(err)
          ? problems.unavailable('The workflow engine is not reachable; nothing was started. Retry later.')
          : problems.internal();
    if (problem.status >= 500 && !(err instanceof ProblemError))
      (req.log ?? logger).error({ err }, 'unhandled error');
    if (res.headersSent) return res.end();
    for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(problem, req.originalUrl, req.requestId)));
  };
}
