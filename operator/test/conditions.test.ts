import { setCondition } from '../src/controller/conditions.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-01T00:05:00.000Z');

describe('setCondition', () => {
  test('when a condition is new, then it is added with the current time', () => {
    const c = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'Waiting', message: 'm', observedGeneration: 1 },
      t0,
    );
    expect(c).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Waiting',
        message: 'm',
        observedGeneration: 1,
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  test('when only reason or message change, then lastTransitionTime stays', () => {
    const a = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: 'a' }, t0);
    const b = setCondition(a, { type: 'Ready', status: 'False', reason: 'B', message: 'b' }, t1);
    expect(b[0]).toMatchObject({
      reason: 'B',
      message: 'b',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    expect(a[0]!.reason).toBe('A'); // input untouched
  });

  test('when the status flips, then lastTransitionTime moves and other types are kept', () => {
    let c = setCondition([], { type: 'Degraded', status: 'False', reason: 'Ok', message: '' }, t0);
    c = setCondition(c, { type: 'Ready', status: 'False', reason: 'W', message: '' }, t0);
    c = setCondition(c, { type: 'Ready', status: 'True', reason: 'R', message: '' }, t1);
    expect(c.map((x) => [x.type, x.status, x.lastTransitionTime])).toEqual([
      ['Degraded', 'False', '2026-01-01T00:00:00Z'],
      ['Ready', 'True', '2026-01-01T00:05:00Z'],
    ]);
  });
});
