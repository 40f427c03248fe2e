import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { JsonlOutbox } from '../../lib/jsonl-outbox';
import { repoRoot } from '../setup/tools';

const run = promisify(execFile);

describe('JsonlOutbox shared by several writers', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsonl-outbox-'));
    file = path.join(dir, 'outbox.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ids = () =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { id: string }).id);

  it('writes each id once when writers that do not share memory append the same ids at once', async () => {
    // Each instance is a writer of its own (as another process would be): no shared id set.
    const writers = Array.from({ length: 4 }, () => new JsonlOutbox<{ id: string; n: number }>(file));
    const wanted = Array.from({ length: 40 }, (_, i) => `m-${i}`);
    const written = await Promise.all(writers.flatMap((w, n) => wanted.map((id) => w.append({ id, n }))));
    expect(ids().sort()).toEqual([...wanted].sort());
    expect(written.filter(Boolean)).toHaveLength(wanted.length);
  });

  it('writes each id once, in whole lines, across processes', async () => {
    const script = path.join(dir, 'writer.ts');
    // A long body makes a torn or interleaved line show up as invalid JSON.
    fs.writeFileSync(
      script,
      `import { JsonlOutbox } from ${JSON.stringify(path.join(repoRoot, 'lib/jsonl-outbox'))};
const outbox = new JsonlOutbox<{ id: string; body: string }>(process.argv[2] as string);
void Promise.all(
  Array.from({ length: 60 }, (_, i) => outbox.append({ id: 'm-' + i, body: 'x'.repeat(20_000) + process.pid })),
);
`,
    );
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    await Promise.all(Array.from({ length: 3 }, () => run(tsx, [script, file], { cwd: repoRoot })));
    expect(ids().sort()).toEqual(Array.from({ length: 60 }, (_, i) => `m-${i}`).sort());
  }, 60_000);
});
