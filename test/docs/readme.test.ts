import fs from 'node:fs';
import path from 'node:path';
import { openApiPath } from '../../api/openapi/document';
import { routeList } from '../../api/routes';
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

/**
 * The endpoints the README's table names (`POST /open-user-ib`, `…/verify`, `/codec/*`): a
 * method and a path, either optional. `…/x` elides the start of the path written before it in
 * the same cell (same first segment, ends in `/x`); `*` ends a path prefix.
 */
function tableEndpoints(text: string): { named: string; method?: string; path: RegExp }[] {
  const rows = text.split('\n').filter((line) => /^\| `(?:[A-Z]+ )?[/…]/.test(line));
  return rows.flatMap((row) => {
    const cell = row.split('|')[1] ?? '';
    let previous = '';
    return [...cell.matchAll(/`(?:([A-Z]+) )?([/…][^`]*)`/g)].map(([named, method, written]) => {
      const escaped = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      let path: RegExp;
      if (written!.startsWith('…')) {
        const first = previous.split('/')[1] ?? '';
        path = new RegExp(`^/${escaped(first)}(/.*)?${escaped(written!.slice(1))}$`);
      } else {
        previous = written!;
        path = written!.endsWith('*')
          ? new RegExp(`^${escaped(written!.slice(0, -1))}`)
          : new RegExp(`^${escaped(written!)}$`);
      }
      return { named: named!, ...(method && { method: method.toLowerCase() }), path };
    });
  });
}

const declared = routeList.map((r) => ({ method: r.method, path: openApiPath(r.path) }));
const unserved = (text: string) =>
  tableEndpoints(text)
    .filter((e) => !declared.some((r) => (!e.method || e.method === r.method) && e.path.test(r.path)))
    .map((e) => e.named);

describe("README's endpoint table", () => {
  it('names only routes the app serves (the route declarations, which the app mounts)', () => {
    expect(tableEndpoints(readme).length).toBeGreaterThan(20);
    expect(unserved(readme)).toEqual([]);
  });

  it('would catch a route that does not exist, or one under the wrong method', () => {
    const table = [
      '| `POST /open-user-ib`, `GET /open-user-ib`, `…/cancel` | x |',
      '| `POST /users/{userId}/lock`, `…/unlock`, `…/delete` | x |',
      '| `/codec/*`, `/nothing/*` | x |',
    ].join('\n');
    expect(unserved(table)).toEqual(['`GET /open-user-ib`', '`…/cancel`', '`…/delete`', '`/nothing/*`']);
  });
});
