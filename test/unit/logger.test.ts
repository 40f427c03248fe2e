import { Writable } from 'node:stream';
import { createLogger, prettyLine, prettyLogs } from '../../lib/logger';

function sink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('log format', () => {
  it('is pretty only when asked or at a terminal', () => {
    expect(prettyLogs('auto', true)).toBe(true);
    expect(prettyLogs('auto', false)).toBe(false);
    expect(prettyLogs('auto', undefined)).toBe(false);
    expect(prettyLogs('json', true)).toBe(false);
    expect(prettyLogs('pretty', false)).toBe(true);
  });

  it('writes JSON lines by default, masked', () => {
    const { lines, stream } = sink();
    createLogger({ name: 't', destination: stream }).info({ to: '+254700100001', otp: '123456' }, 'sent');
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({ msg: 'sent', level: 30, otp: '[redacted]' });
    expect(lines.join('\n')).not.toMatch(/700100001|123456/);
  });

  it('pretty-prints the same masked record for a person', () => {
    const { lines, stream } = sink();
    createLogger({ name: 't', format: 'pretty', destination: stream }).info(
      { to: '+254700100001', otp: '123456' },
      'code sent to amina@example.com',
    );
    const out = lines.join('\n');
    expect(() => JSON.parse(lines[0] ?? '')).toThrow();
    expect(out).toMatch(/INFO.*code sent to a•+@example\.com/);
    expect(out).toContain('+254••••••001');
    expect(out).not.toMatch(/700100001|123456|amina@/);
  });

  it('renders a child JSON line and leaves other output alone', () => {
    const render = prettyLine(false);
    const line = JSON.stringify({ level: 40, time: '2026-12-01T10:00:00.000Z', msg: 'slow', route: '/x' });
    expect(render(line)).toMatch(/WARN.*slow/);
    expect(render(line)).not.toContain('{"level"');
    expect(render('plain text from a child')).toBe('plain text from a child');
    expect(render('{not json')).toBe('{not json');
  });
});
