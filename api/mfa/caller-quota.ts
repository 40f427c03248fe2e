import { isIP } from 'node:net';
import type { Request } from 'express';
import type { Config } from '../../config';
import type { PreloginCaller } from '../../clients/quota';

/** Who asks for a pre-login code: clients/quota.ts spends the budgets of each part. */
export function preloginCaller(req: Request, config: Config): PreloginCaller {
  const subject = req.principal?.subject ?? 'anonymous';
  return config.TRUST_PROXY === false ? { subject } : { subject, network: clientNetwork(req.ip ?? '') };
}

/**
 * The unit one client holds: an IPv4 address, or an IPv6 /64 (one subscriber's prefix: a
 * client rotating through 2^64 addresses of its own is one client).
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
