/**
 * Records a concealed challenge's decoy (test/replay/histories/
 * `MfaChallenge.<tag>-decoy.history.pb`): a pre-login caller names a userId that does not
 * exist, resends, and types wrong codes until the challenge locks. Runs the real workflow
 * on the dev server like record.ts: `npx tsx test/replay/record-decoy.ts <tag>`. The run is still
 * open (it waits out its grace) and is recorded as far as it got.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { mintDevToken } from '../../lib/dev-keys';
import { mfaProcessId } from '../../messages/mfa';
import { call, startStack } from '../helpers/stack';
import { decodeHistoryInPlace } from './decode-history';

async function main(): Promise<void> {
  const tag = process.argv[2] ?? 'v3';
  if (!/^[a-z0-9-]+$/.test(tag)) throw new Error(`tag ${tag}: use a-z, 0-9 and -`);
  const stack = await startStack({ MFA_RESEND_COOLDOWN_SECONDS: '0', MFA_CONCEALED_MIN_ANSWER_MS: '0' });
  try {
    const token = await mintDevToken(stack.config, { scopes: ['mfa:prelogin'], subject: 'replay-app' });
    const api = (url: string, body: unknown) => call(stack.apiUrl, 'POST', url, { token, body });
    const created = await api('/mfa/challenges', { purpose: 'ONBOARDING', userId: 'IBU09999999' });
    if (created.status !== 201) throw new Error(`create answered ${created.status}`);
    const { serviceKey, securityKey } = created.body as { serviceKey: string; securityKey: string };
    await api(`/mfa/challenges/${serviceKey}/resend`, { securityKey });
    // Distinct codes: the same request again is the same verify (its Update id is its digest).
    for (let i = 0; i < 5; i++)
      await api(`/mfa/challenges/${serviceKey}/verify`, { securityKey, otp: `00000${i}` });
    const history = await stack.client.workflow.getHandle(mfaProcessId(serviceKey)).fetchHistory();
    await decodeHistoryInPlace(history, stack.codec);
    const file = path.join(__dirname, 'histories', `MfaChallenge.${tag}-decoy.history.pb`);
    fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
    console.log(`recorded MfaChallenge decoy (${history.events?.length} events) → ${file}`);
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
