import type { Client } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Logger } from '../lib/logger';
import { SEARCH_ATTRIBUTES } from '../messages/search-attributes';
import { findCause } from '../lib/failure-chain';

/**
 * 'complete': the namespace has every attribute the service writes; 'missing': some absent
 * (or of another type), every start would be refused; 'unverified': the API may not list
 * them (a Temporal Cloud API key without operator rights) or Temporal did not answer.
 */
export type SearchAttributeStatus =
  | { status: 'complete' }
  | { status: 'missing'; missing: string[]; commands: string[] }
  | { status: 'unverified'; reason: 'not-permitted' | 'no-answer' };

/** The Temporal CLI's name of each type (`--type`). */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

const indexedType = (t: SearchAttributeType): number =>
  temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${t}`];

/** The command that registers an attribute the service writes. */
export function createCommand(namespace: string, name: string, type: SearchAttributeType): string {
  return `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${CLI_TYPE[type]}`;
}

/** PERMISSION_DENIED or UNIMPLEMENTED: the operator API is not open to this client. */
const notPermitted = (e: unknown) =>
  !!findCause(e, (c) => [7, 12].includes((c as { code?: number }).code ?? -1));

/**
 * Which of SEARCH_ATTRIBUTES the client's namespace lacks (operatorService
 * .listSearchAttributes). A start writes them all, so one missing refuses every start:
 * /readyz must not send traffic to an API whose namespace was not upgraded.
 */
export async function listMissingSearchAttributes(
  client: Client,
  budgetMs: number,
): Promise<SearchAttributeStatus> {
  const namespace = client.options.namespace;
  let custom: Record<string, number>;
  try {
    const answer = await client.withDeadline(Date.now() + budgetMs, () =>
      client.connection.operatorService.listSearchAttributes({ namespace }),
    );
    custom = answer.customAttributes as Record<string, number>;
  } catch (e) {
    return { status: 'unverified', reason: notPermitted(e) ? 'not-permitted' : 'no-answer' };
  }
  const lacking = SEARCH_ATTRIBUTES.filter((k) => custom[k.name] !== indexedType(k.type));
  if (!lacking.length) return { status: 'complete' };
  return {
    status: 'missing',
    missing: lacking.map((k) => k.name),
    commands: lacking.map((k) => createCommand(namespace, k.name, k.type)),
  };
}

/**
 * The readiness check of the namespace's search attributes. 'complete' is cached (attributes
 * are only ever added: one removed later is answered per request, see api/http/to-problem.ts);
 * 'missing' is asked again on every probe, so registering them makes the API ready without a
 * restart. What is missing is logged once per process, with the commands that fix it; an API
 * not allowed to list them logs that once and stays ready (docs/operations.md).
 */
export function searchAttributeCheck(deps: { client: Client; logger?: Logger }) {
  let complete = false;
  const logged = new Set<string>();
  const once = (what: string, log: () => void) => {
    if (logged.has(what)) return;
    logged.add(what);
    log();
  };
  const namespace = deps.client.options.namespace;
  return {
    async status(budgetMs: number): Promise<SearchAttributeStatus> {
      if (complete) return { status: 'complete' };
      const answer = await listMissingSearchAttributes(deps.client, budgetMs);
      if (answer.status === 'complete') complete = true;
      if (answer.status === 'missing')
        once('missing', () =>
          deps.logger?.error(
            { namespace, missing: answer.missing, commands: answer.commands },
            `search attributes missing in namespace ${namespace}: every start is refused and /readyz answers 503 until they are registered: ${answer.commands.join(' && ')}`,
          ),
        );
      if (answer.status === 'unverified' && answer.reason === 'not-permitted')
        once('not-permitted', () =>
          deps.logger?.warn(
            { namespace },
            'search attributes not verified: this client may not list them (no operator rights); register them before deploying (docs/operations.md)',
          ),
        );
      return answer;
    },
  };
}

export type SearchAttributeCheck = ReturnType<typeof searchAttributeCheck>;
