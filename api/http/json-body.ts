import express, { type RequestHandler } from 'express';
import { problems } from './problem';

/**
 * JSON only, with a size limit: bodies on POST/PUT/PATCH must be application/json
 * (415 otherwise); too large is 413, unparsable 400, all as problem+json.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody =
      req.headers['content-length'] !== '0' &&
      (req.headers['content-length'] || req.headers['transfer-encoding']);
    if (
      ['POST', 'PUT', 'PATCH'].includes(req.method) &&
      hasBody &&
      !req.is(['application/json', 'application/*+json'])
    ) {
      return next(problems.unsupportedMediaType());
    }
    next();
  };
  const translate: RequestHandler = (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') return next(problems.tooLarge(limit));
      if (type === 'entity.parse.failed') return next(problems.malformedJson());
      if (type === 'encoding.unsupported' || type === 'charset.unsupported')
        return next(problems.unsupportedMediaType());
      next(err);
    });
  return [requireJson, translate];
}
