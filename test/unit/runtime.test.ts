import pkg from '../../package.json';

describe('runtime', () => {
  it('runs the suite on Node 24 LTS or newer, as package.json engines declare', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(pkg.engines.node).toBe('>=24');
    expect(major).toBeGreaterThanOrEqual(24);
  });
});
