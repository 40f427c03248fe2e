/** The caller a test drives the API with: (method, path, body) → status and JSON body. */
export type ApiCall = (
  method: string,
  url: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, unknown> }>;

/** What a process takes as its MFA proof. */
export interface ChallengeKeys {
  serviceKey: string;
  securityKey: string;
}

/**
 * Opens an MFA challenge through `POST /mfa/challenges` (expecting 201) and, unless told
 * not to, verifies it with the code `codeSent` reads from where the code went (an outbox,
 * a gateway's receiver). The one way every e2e suite gets a proof.
 */
export async function openChallenge(
  api: ApiCall,
  request: { purpose: string; userId?: string; phone?: string; email?: string },
  codeSent: () => string | undefined,
  verify = true,
): Promise<ChallengeKeys & { created: Record<string, unknown> }> {
  const created = await api('POST', '/mfa/challenges', request);
  expect(created.status).toBe(201);
  const keys = {
    serviceKey: created.body.serviceKey as string,
    securityKey: created.body.securityKey as string,
  };
  if (verify) {
    const ok = await api('POST', `/mfa/challenges/${keys.serviceKey}/verify`, {
      securityKey: keys.securityKey,
      otp: codeSent(),
    });
    expect(ok.body.status).toBe('VERIFIED');
  }
  return { ...keys, created: created.body };
}
