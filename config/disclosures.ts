import { createHash } from 'node:crypto';
import type { DisclosureRecord } from '../messages/disclosures';
import type { Config } from './index';

/**
 * The institution's disclosure records. The texts of the known codes ship here; a code
 * only named in REQUIRED_DISCLOSURES gets its code as title and text. Versions come from
 * DISCLOSURE_VERSIONS (default 1); the digest names the exact text a customer accepted.
 */
const TEXTS: Record<string, { title: string; text: string }> = {
  IB_TERMS: {
    title: 'Internet and mobile banking terms and conditions',
    text: 'These terms govern your use of internet and mobile banking. Keep your credentials secret; the bank will never ask you for them.',
  },
  PRIVACY: {
    title: 'Privacy notice',
    text: 'The bank processes your personal data to provide internet and mobile banking, as its privacy notice describes.',
  },
};

export function currentDisclosures(config: Pick<Config, 'REQUIRED_DISCLOSURES' | 'DISCLOSURE_VERSIONS'>) {
  const versions = new Map(
    config.DISCLOSURE_VERSIONS.map((item) => {
      const [id, version] = item.split('=');
      return [id as string, Number(version)];
    }),
  );
  return config.REQUIRED_DISCLOSURES.map((id): DisclosureRecord => {
    const version = versions.get(id) ?? 1;
    const { title, text } = TEXTS[id] ?? { title: id, text: id };
    // The version is part of what is digested: a new version of an unchanged text is still new.
    const body = `${id}\nversion ${version}\n${text}`;
    return { id, version, title, text, sha256: createHash('sha256').update(body).digest('hex') };
  });
}
