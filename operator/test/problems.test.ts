import { ApiException } from '@kubernetes/client-node';
import { describeError } from '../src/runtime/errors.js';

const refusal = (body: unknown) =>
  new ApiException(422, 'Unprocessable Entity', JSON.stringify(body), {
    'content-type': 'application/json',
    'audit-id': 'abc',
  });

describe('describeError', () => {
  test('when the apiserver lists causes, then each reads "field: why" without the offending value or headers', () => {
    const err = refusal({
      kind: 'Status',
      message:
        'Deployment.apps "flock-posts" is invalid: spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: field is immutable',
      details: {
        causes: [
          {
            field: 'spec.selector',
            message: 'Invalid value: {"matchLabels":{"a":"b"}}: field is immutable',
          },
        ],
      },
    });
    expect(describeError(err)).toBe(
      'the apiserver refused it (422): spec.selector: field is immutable',
    );
  });

  test('when there are no causes, then the Status message is used and nothing else', () => {
    const text = describeError(refusal({ kind: 'Status', message: 'namespaces "x" not found' }));
    expect(text).toBe('the apiserver answered 422: namespaces "x" not found');
    expect(text).not.toMatch(/audit-id|content-type/);
  });
});
