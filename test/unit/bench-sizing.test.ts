import { sizing, TARGET_UTILISATION } from '../../bench/sizing';

const roles = ['api', 'worker'] as const;

describe('bench sizing rule', () => {
  it('turns CPU-ms per operation into vCPUs per 100 operations/s at the target utilisation', () => {
    const s = sizing(roles, { api: 3, worker: 30 } as never, { api: 6, worker: 12 } as never, {
      before: { api: 100, worker: 200 } as never,
      open: { api: 110, worker: 700 } as never,
      openChallenges: 2_500,
    });
    // 30 CPU-ms × 100/s = 3 vCPU-s per s = 3 vCPUs busy; at 60 % that is 5 to provision.
    expect(TARGET_UTILISATION).toBe(0.6);
    expect(s.vcpuPer100OnboardingsPerSecond).toEqual({ api: 0.5, worker: 5 });
    expect(s.vcpuPer100OtpRequestsPerSecond).toEqual({ api: 1, worker: 2 });
    // 500 MB over 2,500 challenges: 200 MB per 1,000.
    expect(s.mbPer1000OpenChallenges).toEqual({ api: 4, worker: 200 });
  });

  it('has no memory figure without open challenges, and never a negative one', () => {
    const flat = { api: 1, worker: 1 } as never;
    expect(
      sizing(roles, flat, flat, { before: flat, open: flat, openChallenges: 0 }).mbPer1000OpenChallenges.api,
    ).toBeNaN();
    const s = sizing(roles, flat, flat, {
      before: { api: 120, worker: 1 } as never,
      open: { api: 100, worker: 1 } as never,
      openChallenges: 10,
    });
    expect(s.mbPer1000OpenChallenges.api).toBe(0);
  });
});
