import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runKillScenario, type ScenarioResult } from './kill';
import { scenarioSection, writeSection } from './report';
import { repoRoot } from './stack';

/**
 * `npm run test:chaos [-- --smoke] [--only kill,faults,brownouts,schemathesis] [--no-build]`:
 * the reliability scenarios against separately started processes; writes
 * docs/reliability.md and exits non-zero if anything was lost, duplicated or stuck.
 */
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const onlyArg = args[args.indexOf('--only') + 1];
const only =
  args.includes('--only') && onlyArg ? onlyArg.split(',') : ['kill', 'faults', 'brownouts', 'schemathesis'];
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);

const failed = (r: ScenarioResult) =>
  r.tally.lost + r.tally.duplicated + r.tally.stuck + r.tally.hangs + r.tally.notProblemJson > 0;

async function main(): Promise<void> {
  if (!args.includes('--no-build')) {
    log('npm run build');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  }
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'api', 'main.js')))
    throw new Error('dist/ missing: npm run build');
  const size = smoke
    ? { onboardings: 20, challenges: 20, logins: 3, phoneChanges: 4, contactChanges: 3, resends: 5 }
    : { onboardings: 200, challenges: 200, logins: 30, phoneChanges: 40, contactChanges: 30, resends: 50 };
  let bad = 0;

  if (only.includes('kill')) {
    log(
      `process kills: ${size.onboardings} onboardings + ${size.challenges} MFA challenges ` +
        `(${size.resends} resent) + ${size.logins} LOGIN challenges (SMS and email) + ${size.phoneChanges} phone changes + ${size.contactChanges} contact-info changes`,
    );
    const r = await runKillScenario({ ...size, log });
    log(JSON.stringify({ ...r.tally, details: r.tally.details.slice(0, 20) }));
    await writeSection(
      'kill',
      scenarioSection(
        `Process kills${smoke ? ' (smoke size)' : ''}`,
        [r],
        [
          `Command: \`npm run test:chaos${smoke ? ' -- --smoke' : ''}\`. Each create call has a 15 s client-side timeout (a "hang"). ` +
            'SMS go to a Kannel-speaking gateway, email to an SMTP server, webhooks to two receivers, all in the harness process (they outlive the kills) and counted there.',
        ],
      ),
    );
    if (failed(r)) bad++;
  }

  if (only.includes('faults')) {
    const { runFaultScenarios } = await import('./faults');
    const results = await runFaultScenarios({ smoke, log, noBrownouts: true });
    for (const r of results)
      log(`${r.name}: ${JSON.stringify({ ...r.tally, details: r.tally.details.slice(0, 5) })}`);
    await writeSection(
      'faults',
      scenarioSection(`Dependency faults${smoke ? ' (smoke size)' : ''}`, results),
    );
    bad += results.filter(failed).length;
  }

  if (only.includes('brownouts')) {
    const { runFaultScenarios } = await import('./faults');
    const results = await runFaultScenarios({ smoke, log, brownoutsOnly: true });
    for (const r of results)
      log(`${r.name}: ${JSON.stringify({ ...r.tally, details: r.tally.details.slice(0, 5) })}`);
    await writeSection(
      'brownouts',
      scenarioSection(`Brownouts and ops resets${smoke ? ' (smoke size)' : ''}`, results, [
        `Command: \`npm run test:chaos -- ${smoke ? '--smoke ' : ''}--only brownouts\`. ` +
          'A brownout is a dependency slow but inside its adapter’s timeout: nothing may reach a receiver twice, ' +
          'so the same content received again counts as duplicated. Counted at a Kannel-speaking gateway, an SMTP ' +
          'server and the webhook receivers in the harness process, never through the outbox.',
      ]),
    );
    bad += results.filter(failed).length;
  }

  if (only.includes('schemathesis')) {
    const { runSchemathesis } = await import('./schemathesis');
    const ok = await runSchemathesis({ smoke, log });
    if (!ok) bad++;
  }

  log(bad ? `${bad} scenario(s) failed: see docs/reliability.md` : 'all scenarios passed');
  process.exitCode = bad ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
