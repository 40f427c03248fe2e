/**
 * Disclosure records (terms, privacy notice…) a customer must accept, as the institution
 * keeps them: each version has a digest of its text, so the evidence names exactly what
 * was shown.
 */
export interface DisclosureRecord {
  id: string;
  version: number;
  title: string;
  /** The text itself, or where it is published (one of the two). */
  text?: string;
  url?: string;
  /** SHA-256 (hex) of the text, or of the URL when only a URL is kept. */
  sha256: string;
}

/** One acceptance as the caller sends it. */
export interface AcceptedDisclosure {
  id: string;
  version: number;
}

/** The plain-code form (`"IB_TERMS"`, accepting the current version) still works. */
export type DisclosureAcceptance = string | AcceptedDisclosure;

/** The evidence core banking keeps: which versions, when, through which channel. */
export interface DisclosureEvidence {
  channel: string;
  acceptedAt: string;
  disclosures: { id: string; version: number; sha256: string }[];
}
