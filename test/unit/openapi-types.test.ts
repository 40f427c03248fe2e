import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(__dirname, '..', '..');
const file = path.join(root, 'test', 'helpers', 'openapi-types.generated.ts');

/** The checked-in client types are what the current document generates. */
describe('test/helpers/openapi-types.generated.ts', () => {
  it('is what `npm run openapi:types` generates from the current document (rerun it if this fails)', async () => {
    // A child process: openapi-typescript loads ESM-only modules, which jest's CommonJS runtime cannot.
    const { stdout } = await promisify(execFile)(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['scripts/openapi-types.ts', '--stdout'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout.length).toBeGreaterThan(10_000);
    expect(fs.readFileSync(file, 'utf8')).toEqual(stdout);
  }, 60_000);
});
