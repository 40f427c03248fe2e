import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../setup/tools';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('stays short: what it is, the two commands, try it, where each process lives (details in docs/)', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(10 * 1024);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('maps every api/ folder that serves routes to its files', () => {
    const api = path.join(repoRoot, 'api');
    const withRoutes = fs
      .readdirSync(api, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        fs
          .readdirSync(path.join(api, d.name))
          .filter((f) => /(^|-)routes\.ts$/.test(f))
          .map((f) => `api/${d.name}/${f}`),
      );
    expect(withRoutes.length).toBeGreaterThan(5);
    for (const file of withRoutes) expect(readme).toContain(`\`${file}\``);
  });
});
