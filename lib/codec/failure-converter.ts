import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Moves every failure's message and stack trace into `encodedAttributes`, a payload the
 * codec encrypts like any other: failure text (the ESB's own words included) would
 * otherwise sit in history in clear. Loaded by path (DataConverter.failureConverterPath)
 * because workflow code runs in the worker's sandbox and gets it bundled in.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
