import { TRACE_HEADER as LIBRARY_TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { TRACE_HEADER } from '../../workflows/tracing-interceptors';

describe('workflow tracing interceptors', () => {
  it('look for the header the OpenTelemetry interceptors set (a traced run is recognised)', () => {
    expect(TRACE_HEADER).toBe(LIBRARY_TRACE_HEADER);
  });
});
