import { ApplicationFailure } from '@temporalio/common';
import { causeChain, findCause } from '../../lib/failure-chain';

describe('failure chain', () => {
  const inner = ApplicationFailure.nonRetryable('no such customer', 'CUSTOMER_NOT_FOUND');
  const middle = Object.assign(new Error('activity failed'), { cause: inner });
  const outer = Object.assign(new Error('workflow failed'), { cause: middle });

  it('walks an error and its causes, outermost first', () => {
    expect([...causeChain(outer)]).toEqual([outer, middle, inner]);
  });

  it('finds the first cause a predicate accepts, or nothing', () => {
    expect(findCause(outer, (e): e is ApplicationFailure => e instanceof ApplicationFailure)).toBe(inner);
    expect(findCause(outer, (e) => (e as Error).message === 'nope')).toBeUndefined();
  });

  it('stops on a cycle and on non-objects', () => {
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect([...causeChain(a)].length).toBeLessThanOrEqual(8);
    expect([...causeChain('text')]).toEqual([]);
    expect([...causeChain(undefined)]).toEqual([]);
  });
});
