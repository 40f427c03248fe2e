import type { Role } from './proc';
import { round } from './stats';

/** Share of a vCPU a process may use at peak: headroom for bursts, GC and failover. */
export const TARGET_UTILISATION = 0.6;

export interface Sizing {
  targetUtilisation: number;
  /** vCPUs per process role for 100 operations per second, from measured CPU-ms per operation. */
  vcpuPer100OnboardingsPerSecond: Record<Role, number>;
  vcpuPer100OtpRequestsPerSecond: Record<Role, number>;
  /** Resident memory each role adds per 1,000 open challenges (each with its destination's quota run). */
  mbPer1000OpenChallenges: Record<Role, number>;
}

const perRole = (roles: readonly Role[], f: (r: Role) => number) =>
  Object.fromEntries(roles.map((r) => [r, f(r)])) as Record<Role, number>;

/**
 * The sizing rule (docs/sizing.md), written once: CPU-ms per operation × 100 operations/s is
 * CPU-ms per second, / 1000 is vCPUs busy, / the target utilisation is vCPUs to provision.
 * Memory is the RSS a role gained while `open` challenges were open, per 1,000.
 */
export function sizing(
  roles: readonly Role[],
  cpuMsPerOnboarding: Record<Role, number>,
  cpuMsPerOtpRequest: Record<Role, number>,
  rss: { before: Record<Role, number>; open: Record<Role, number>; openChallenges: number },
): Sizing {
  const vcpus = (cpuMs: number) => round((cpuMs * 100) / 1000 / TARGET_UTILISATION, 2);
  return {
    targetUtilisation: TARGET_UTILISATION,
    vcpuPer100OnboardingsPerSecond: perRole(roles, (r) => vcpus(cpuMsPerOnboarding[r])),
    vcpuPer100OtpRequestsPerSecond: perRole(roles, (r) => vcpus(cpuMsPerOtpRequest[r])),
    mbPer1000OpenChallenges: perRole(roles, (r) =>
      rss.openChallenges > 0
        ? round((Math.max(0, rss.open[r] - rss.before[r]) * 1000) / rss.openChallenges, 1)
        : NaN,
    ),
  };
}
