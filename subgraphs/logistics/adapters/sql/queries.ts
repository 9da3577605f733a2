import { drainOutbox, emitChange } from '../../../shared/outbox';
import { sql, type Kysely } from 'kysely';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import type { LogisticsSystem, ReturnLabel, Shipment, TrackingEvent } from '../../port';
import type { LogisticsTables, ReturnLabelRow, ShipmentRow, TrackingEventRow } from './tables';

export type LogisticsDb = Kysely<LogisticsTables>;

export function toShipment({ exceptionKind, exceptionReportedAt, exceptionMessage, ...row }: ShipmentRow): Shipment {
  return {
    ...row,
    carrier: row.carrier as Shipment['carrier'],
    status: row.status as Shipment['status'],
    exception:
      exceptionKind && exceptionReportedAt
        ? { kind: exceptionKind as NonNullable<Shipment['exception']>['kind'], reportedAt: exceptionReportedAt, carrierMessage: exceptionMessage }
        : null,
  };
}

export function fromShipment({ exception, ...shipment }: Shipment): ShipmentRow {
  return {
    ...shipment,
    exceptionKind: exception?.kind ?? null,
    exceptionReportedAt: exception?.reportedAt ?? null,
    exceptionMessage: exception?.carrierMessage ?? null,
  };
}

export const toTrackingEvent = (row: TrackingEventRow): TrackingEvent => row as TrackingEvent;
export const toReturnLabel = ({ voidedAt: _voided, ...row }: ReturnLabelRow): ReturnLabel => row as ReturnLabel;

async function shipmentsWhereIn(db: LogisticsDb, column: 'id' | 'orderId' | 'trackingNumber', keys: readonly string[]) {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('shipments')
    .selectAll()
    .where(column, 'in', distinct(keys))
    .orderBy('shippedAt', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return rows.map(toShipment);
}

export async function findTrackingEvents(db: LogisticsDb, shipmentIds: readonly string[]): Promise<TrackingEvent[]> {
  if (shipmentIds.length === 0) return [];
  const rows = await db
    .selectFrom('trackingEvents')
    .select(['shipmentId', 'occurredAt', 'status', 'carrierStatusCode', 'description', 'location'])
    .where('shipmentId', 'in', distinct(shipmentIds))
    .orderBy('occurredAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toTrackingEvent);
}

async function labelsWhereIn(db: LogisticsDb, column: 'id' | 'returnId', keys: readonly string[]) {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('returnLabels')
    .selectAll()
    .where(column, 'in', distinct(keys))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toReturnLabel);
}

export async function insertReturnLabel(db: LogisticsDb, label: ReturnLabel): Promise<ReturnLabel> {
  await db.transaction().execute(async (tx) => {
    const inserted = await tx.insertInto('returnLabels').values(label).onConflict((oc) => oc.column('returnId').doNothing()).returning('id').executeTakeFirst();
    if (inserted) await emitChange(tx, 'return_label.updated', { returnId: label.returnId, orderId: label.orderId });
  });
  const [existing] = await labelsWhereIn(db, 'returnId', [label.returnId]);
  return existing;
}

export async function markReturnLabelVoided(db: LogisticsDb, labelId: string, at: Date): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const voided = await tx
      .updateTable('returnLabels')
      .set({ status: 'VOIDED', voidedAt: at })
      .where('id', '=', labelId)
      .where('status', '!=', 'VOIDED')
      .returning(['orderId', 'returnId'])
      .executeTakeFirst();
    if (voided) await emitChange(tx, 'return_label.updated', { returnId: voided.returnId, orderId: voided.orderId });
    return Boolean(voided);
  });
}

/** The reference carrier system over SQL: it knows orders and returns, so it answers them itself. */
export function createSqlLogisticsSystem(db: LogisticsDb): LogisticsSystem {
  return {
    getShipments: async (ids) => byKey(ids, await shipmentsWhereIn(db, 'id', ids), (s) => s.id),
    getShipmentsByTrackingNumber: async (numbers) =>
      byKey(numbers, await shipmentsWhereIn(db, 'trackingNumber', numbers), (s) => s.trackingNumber),
    listShipmentsByOrder: async (ids) => groupByKey(ids, await shipmentsWhereIn(db, 'orderId', ids), (s) => s.orderId),
    listTrackingEvents: async (ids) => groupByKey(ids, await findTrackingEvents(db, ids), (e) => e.shipmentId),
    getReturnLabels: async (ids) => byKey(ids, await labelsWhereIn(db, 'id', ids), (l) => l.id),
    listReturnLabelsByReturn: async (ids) => groupByKey(ids, await labelsWhereIn(db, 'returnId', ids), (l) => l.returnId),
    // Nothing to pay for here: the draft is the id the graph proposed, bought once per return.
    draftReturnLabel: async (label) => label.id,
    buyReturnLabel: (labelId, label) => insertReturnLabel(db, { ...label, id: labelId }),
    voidReturnLabel: (labelId, at) => markReturnLabelVoided(db, labelId, at),
    exportOrders: async (orderIds) => {
      if (orderIds.length === 0) return { shipments: [], trackingEvents: [], returnLabels: [] };
      const ids = distinct(orderIds);
      const shipments = await db.selectFrom('shipments').selectAll().where('orderId', 'in', ids).execute();
      const [trackingEvents, returnLabels] = await Promise.all([
        shipments.length ? db.selectFrom('trackingEvents').selectAll().where('shipmentId', 'in', shipments.map((s) => s.id)).orderBy('occurredAt').execute() : [],
        db.selectFrom('returnLabels').selectAll().where('orderId', 'in', ids).execute(),
      ]);
      return { shipments, trackingEvents, returnLabels };
    },
    privacy: { export: { system: 'sql', action: 'EXPORTED', detail: 'Shipments, tracking events and return labels of the customer\'s orders' }, erasure: { system: 'sql', action: 'PSEUDONYMIZED', detail: 'Parcel locations and carriers\' free text dropped; shipments kept' } },
    eraseOrders: async (orderIds) => {
      if (orderIds.length === 0) return 0;
      const ids = distinct(orderIds);
      return db.transaction().execute(async (trx) => {
        const shipments = await trx.updateTable('shipments').set({ exceptionMessage: null }).where('orderId', 'in', ids).returning(['id', 'orderId']).execute();
        for (const s of shipments) await emitChange(trx, 'shipment.tracking_updated', { shipmentId: s.id, orderId: s.orderId });
        const events = shipments.length
          ? await trx.updateTable('trackingEvents').set({ location: null }).where('shipmentId', 'in', shipments.map((s) => s.id)).executeTakeFirst()
          : { numUpdatedRows: 0n };
        return shipments.length + Number(events.numUpdatedRows);
      });
    },
    drainChanges: (deliver, limit) => drainOutbox(db, deliver, limit),
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
