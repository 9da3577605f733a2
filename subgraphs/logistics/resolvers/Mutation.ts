import { randomBytes, randomUUID } from 'node:crypto';
import { requireService } from '../../shared/auth';
import { badInput } from '../../shared/errors';
import { normalizeTrackingNumber, returnCarrierFor } from '../carriers';
import type { SenderAddress, ShipmentRegistration } from '../port';
import type { LogisticsContext } from '../context';

const LABEL_VALID_DAYS = 30;
const ADDRESS_FIELD_MAX = 200;

/** The sender's address, trimmed; refused (field named, never its value) when it is not one a carrier could take. */
function senderAddress(input: SenderAddress, country: string): SenderAddress {
  const text = (value: string | null | undefined) => (value ?? '').trim();
  const address = {
    name: text(input.name), line1: text(input.line1), line2: text(input.line2) || null, city: text(input.city),
    region: text(input.region) || null, postalCode: text(input.postalCode), country: text(input.country).toUpperCase(),
  };
  for (const [field, value] of Object.entries(address)) {
    if (value !== null && value.length > ADDRESS_FIELD_MAX) throw badInput(`sender.${field} is longer than ${ADDRESS_FIELD_MAX} characters`, { argument: `sender.${field}` });
  }
  if (address.country !== country) throw badInput('sender.country must be the input\'s country', { argument: 'sender.country' });
  return address;
}

export const Mutation = {
  eraseShipmentData: (_: unknown, args: { orderIds: string[] }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'eraseShipmentData');
    return ctx.source.eraseOrders(args.orderIds).then((records) => ({ records, system: ctx.source.privacy.erasure }));
  },
  issueReturnLabel: async (
    _: unknown,
    { input }: { input: { returnId: string; orderId: string; customerId: string; rma: string; country: string; sender?: SenderAddress | null } },
    ctx: LogisticsContext,
  ) => {
    requireService(ctx.viewer, 'issueReturnLabel');
    if (!/^[A-Za-z]{2}$/.test(input.country)) throw badInput('country must be an ISO 3166-1 alpha-2 code', { argument: 'country' });
    const country = input.country.toUpperCase();
    // Missing street, city or postal code are the carrier's to refuse (the reference SQL system needs none of it).
    const address = input.sender ? senderAddress(input.sender, country) : undefined;
    const now = new Date();
    return ctx.source.createReturnLabel({
      id: `rl_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      returnId: input.returnId,
      orderId: input.orderId,
      customerId: input.customerId,
      carrier: returnCarrierFor(input.country),
      trackingNumber: `RT${randomBytes(6).toString('hex').toUpperCase()}`,
      labelUrl: `${ctx.config.returnLabelBaseUrl}/${encodeURIComponent(input.rma)}.pdf`,
      status: 'CREATED',
      createdAt: now,
      expiresAt: new Date(now.getTime() + LABEL_VALID_DAYS * 86_400_000),
    }, address ? { country, address } : { country });
  },
  registerShipments: (_: unknown, args: { shipments: ShipmentRegistration[] }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'registerShipments');
    if (args.shipments.length > 100) throw badInput('at most 100 shipments at a time', { argument: 'shipments' });
    const parcels = args.shipments.map((s) => ({ ...s, customerId: s.customerId ?? null, trackingNumber: normalizeTrackingNumber(s.trackingNumber) }));
    if (parcels.some((p) => !/^[A-Z0-9]{4,40}$/.test(p.trackingNumber))) throw badInput('a tracking number is 4 to 40 letters and digits', { argument: 'shipments' });
    return ctx.source.registerShipments(parcels);
  },
  voidReturnLabel: (_: unknown, args: { returnId: string }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'voidReturnLabel');
    return ctx.source.voidReturnLabel(args.returnId, new Date());
  },
};
