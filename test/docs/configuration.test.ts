import fs from 'node:fs';
import { configSchema } from '../../config';
import { CONFIGURATION_DOC, configurationMarkdown } from '../../scripts/docs/configuration';

describe('docs/configuration.md', () => {
  it('is what the config schema generates (run `npm run docs:config` after changing config/index.ts)', () => {
    expect(fs.readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(configurationMarkdown());
  });

  it('describes every variable the schema reads', () => {
    const doc = fs.readFileSync(CONFIGURATION_DOC, 'utf8');
    for (const name of Object.keys(configSchema.shape)) expect(doc).toContain(`| \`${name}\` |`);
  });
});
