/**
 * The commercetools emulator (@labdigital/commercetools-mock) as its own HTTP server process: it is
 * an ES module Jest's CommonJS runtime cannot load, and a real server is what the SDK talks to in
 * production anyway. Prints `commercetools emulator listening on <port>` once it takes requests.
 *
 *   node --import tsx test/helpers/commercetools-emulator.ts [port]
 *
 * The emulator lacks a few of the API's documented Order update actions for returns; they are
 * taught here exactly as https://docs.commercetools.com/api/projects/orders#update-actions states
 * them, so the adapter is tested with the calls it makes against the real API.
 */
import { CommercetoolsMock } from '@labdigital/commercetools-mock';

interface ReturnItemLike {
  id: string;
  shipmentState: string;
  paymentState: string;
  custom?: { type: { typeId: string; id: string }; fields: Record<string, unknown> };
  lastModifiedAt?: string;
}
interface OrderLike {
  returnInfo?: { items: ReturnItemLike[] }[];
}

function returnItem(order: OrderLike, returnItemId: string): ReturnItemLike {
  const item = order.returnInfo?.flatMap((info) => info.items).find((i) => i.id === returnItemId);
  // The API answers an unknown return item with 400 InvalidOperation; the emulator's error type is not exported.
  if (!item) throw Object.assign(new Error(`No return item with id '${returnItemId}'`), { statusCode: 400 });
  return item;
}

const missingOrderActions = {
  setReturnShipmentState(_context: unknown, order: OrderLike, action: { returnItemId: string; shipmentState: string }) {
    returnItem(order, action.returnItemId).shipmentState = action.shipmentState;
  },
  setReturnPaymentState(_context: unknown, order: OrderLike, action: { returnItemId: string; paymentState: string }) {
    returnItem(order, action.returnItemId).paymentState = action.paymentState;
  },
  setReturnItemCustomField(_context: unknown, order: OrderLike, action: { returnItemId: string; name: string; value?: unknown }) {
    const item = returnItem(order, action.returnItemId);
    if (!item.custom) throw Object.assign(new Error('Return item has no custom type'), { statusCode: 400 });
    if (action.value === undefined || action.value === null) delete item.custom.fields[action.name];
    else item.custom.fields[action.name] = action.value;
  },
};

export async function startEmulator(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const mock = new CommercetoolsMock({ enableAuthentication: true, validateCredentials: true, silent: true });
  const actions = (mock as unknown as { _repositories: { order: { actions: Record<string, unknown> } } })._repositories.order.actions;
  Object.assign(actions, missingOrderActions);
  await mock.app.listen({ port, host: '127.0.0.1' });
  const address = mock.app.server.address();
  return { port: typeof address === 'object' && address ? address.port : port, close: () => mock.app.close() };
}

if (process.argv[1]?.endsWith('commercetools-emulator.ts')) {
  startEmulator(Number(process.argv[2] ?? 0)).then(
    ({ port, close }) => {
      console.log(`commercetools emulator listening on ${port}`);
      const stop = () => void close().finally(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
