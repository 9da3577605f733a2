import { createLogger, requestScope } from '../subgraphs/shared/logger';
import { valueCompletionPlugin } from './server';

describe('no silent nulls at the gateway', () => {
  const run = async (singleResult: Record<string, unknown>) => {
    const lines: string[] = [];
    const plugin = valueCompletionPlugin(createLogger('test', 'info', { write: (line: string) => void lines.push(line) }));
    const requestContext = { response: { body: { kind: 'single', singleResult } }, request: { http: { headers: new Map() } }, operationName: 'CustomerContext' };
    // As the listener runs every request: inside its scope, whose id every log line carries.
    await requestScope.run({ id: 'req-1' }, async () => {
      const listener = await plugin.requestDidStart!(requestContext as never);
      await listener!.willSendResponse!(requestContext as never);
    });
    return { result: singleResult, lines };
  };

  it('turns each field @apollo/gateway could not complete into a coded error with its path, and logs it', async () => {
    const { result, lines } = await run({
      data: { verifiedCustomer: { openHandoffs: [{ id: 'ho_1', lineItems: [null] }] } },
      errors: [{ message: 'earlier', extensions: { code: 'BACKEND_TIMEOUT' } }],
      extensions: { valueCompletion: [{ message: 'Cannot return null for non-nullable field LineItem.sku.', path: ['verifiedCustomer', 'openHandoffs', 0, 'lineItems', 0, 'sku'] }], stale: [] },
    });
    expect(result.errors).toEqual([
      { message: 'earlier', extensions: { code: 'BACKEND_TIMEOUT' } },
      expect.objectContaining({ path: ['verifiedCustomer', 'openHandoffs', 0, 'lineItems', 0, 'sku'], extensions: { code: 'INCOMPLETE_DATA' } }),
    ]);
    expect(result.extensions).toEqual({ stale: [] });
    expect(lines.join('')).toMatch(/"requestId":"req-1".*verifiedCustomer\.openHandoffs\.0\.lineItems\.0\.sku/);
  });

  it('leaves a complete answer as it is', async () => {
    const { result } = await run({ data: { customer: { id: 'cus_1' } } });
    expect(result).toEqual({ data: { customer: { id: 'cus_1' } } });
  });
});
