import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { Stack } from '../helpers/stack';
import { decodeHistoryInPlace } from './decode-history';

/**
 * Writes a run's history, decoded, as test/replay/histories/`<Type>.<name>.history.pb`
 * (binary protobuf: exact, and independent of the SDK's JSON helpers). A run still open is
 * recorded as far as it got: replay checks that too.
 */
export async function writeHistory(stack: Stack, workflowId: string, name: string): Promise<void> {
  const handle = stack.client.workflow.getHandle(workflowId);
  const { type, status } = await handle.describe();
  const history = await handle.fetchHistory();
  await decodeHistoryInPlace(history, stack.codec);
  const file = path.join(__dirname, 'histories', `${type}.${name}.history.pb`);
  fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
  console.log(`recorded ${type} ${name} (${status.name}, ${history.events?.length} events) → ${file}`);
}

/** The ids of the runs of a workflow type, once visibility lists at least `atLeast` of them. */
export async function runsOf(stack: Stack, type: string, atLeast = 1): Promise<string[]> {
  for (let i = 0; ; i++) {
    const ids: string[] = [];
    for await (const w of stack.client.workflow.list({ query: `WorkflowType = '${type}'` }))
      ids.push(w.workflowId);
    if (ids.length >= atLeast || i >= 40) return ids;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function tagOf(argv: string[], script: string): string {
  const tag = argv[2];
  if (!tag || !/^[a-z0-9-]+$/.test(tag)) throw new Error(`usage: ${script} <tag> (a-z, 0-9, -)`);
  return tag;
}
