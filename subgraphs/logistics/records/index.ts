import type { Kysely } from 'kysely';
import { distinct } from '../../shared/batch';
import { migrateSchema } from '../../shared/db';
import { drainOutbox, emitChange, type ChangeFeed } from '../../shared/outbox';
import type { ShipmentRegistration } from '../port';
import { migrations } from './migrations';
import type { LogisticsRecordTables } from './tables';

/** The schema the logistics subgraph's own records live in, whatever the carrier system. */
export const LOGISTICS_RECORDS_SCHEMA = 'logistics_records';

type Db = Kysely<LogisticsRecordTables>;
export type ShipmentOrder = LogisticsRecordTables['shipmentOrders'];
export type ReturnLabelRecord = LogisticsRecordTables['returnLabels'];

/** What the logistics subgraph keeps itself, beside any carrier system. */
export interface LogisticsRecords extends Required<ChangeFeed> {
  shipmentsById(shipmentIds: readonly string[]): Promise<ShipmentOrder[]>;
  shipmentsByOrder(orderIds: readonly string[]): Promise<ShipmentOrder[]>;
  /** Maps each system shipment to its order; a parcel already mapped keeps its first order. */
  registerShipments(entries: (ShipmentRegistration & { shipmentId: string })[], at: Date): Promise<void>;
  labelsByReturn(returnIds: readonly string[]): Promise<ReturnLabelRecord[]>;
  labelsById(labelIds: readonly string[]): Promise<ReturnLabelRecord[]>;
  labelsByOrder(orderIds: readonly string[]): Promise<ReturnLabelRecord[]>;
  /** Records a return's drafted label unless it has one; answers the return's record either way. */
  recordDraft(entry: { returnId: string; labelId: string; orderId: string; customerId: string | null }, at: Date): Promise<ReturnLabelRecord>;
  /** The return's label is bought (its id as the system answered it). */
  recordBought(returnId: string, labelId: string, at: Date): Promise<void>;
  recordVoided(returnId: string, at: Date): Promise<void>;
}

export async function createLogisticsRecords(db: Kysely<any>): Promise<LogisticsRecords> {
  await migrateSchema(db, LOGISTICS_RECORDS_SCHEMA, migrations);
  const records = db.withSchema(LOGISTICS_RECORDS_SCHEMA) as unknown as Db;
  const shipments = (column: 'shipmentId' | 'orderId', keys: readonly string[]) =>
    keys.length === 0 ? Promise.resolve([]) : records.selectFrom('shipmentOrders').selectAll().where(column, 'in', distinct(keys)).execute();
  const labels = (column: 'returnId' | 'labelId' | 'orderId', keys: readonly string[]) =>
    keys.length === 0 ? Promise.resolve([]) : records.selectFrom('returnLabels').selectAll().where(column, 'in', distinct(keys)).execute();
  const changed = (tx: Kysely<any>, returnId: string) =>
    tx.selectFrom('returnLabels').select('orderId').where('returnId', '=', returnId).executeTakeFirst()
      .then((row: { orderId: string } | undefined) => (row ? emitChange(tx, 'return_label.updated', { returnId, orderId: row.orderId }) : undefined));
  return {
    shipmentsById: (ids) => shipments('shipmentId', ids),
    shipmentsByOrder: (ids) => shipments('orderId', ids),
    registerShipments: async (entries, at) => {
      if (!entries.length) return;
      await records.transaction().execute(async (tx) => {
        for (const e of entries) {
          const inserted = await tx
            .insertInto('shipmentOrders')
            .values({ shipmentId: e.shipmentId, carrier: e.carrier, trackingNumber: e.trackingNumber, orderId: e.orderId, customerId: e.customerId, lineItemIds: e.lineItemIds, registeredAt: at })
            .onConflict((oc) => oc.doNothing())
            .returning('shipmentId')
            .executeTakeFirst();
          if (inserted) await emitChange(tx, 'shipment.tracking_updated', { shipmentId: e.shipmentId, orderId: e.orderId });
        }
      });
    },
    labelsByReturn: (ids) => labels('returnId', ids),
    labelsById: (ids) => labels('labelId', ids),
    labelsByOrder: (ids) => labels('orderId', ids),
    recordDraft: async (entry, at) => {
      await records.insertInto('returnLabels').values({ ...entry, draftedAt: at, boughtAt: null, voidedAt: null }).onConflict((oc) => oc.column('returnId').doNothing()).execute();
      return records.selectFrom('returnLabels').selectAll().where('returnId', '=', entry.returnId).executeTakeFirstOrThrow();
    },
    recordBought: (returnId, labelId, at) =>
      records.transaction().execute(async (tx) => {
        await tx.updateTable('returnLabels').set({ labelId, boughtAt: at }).where('returnId', '=', returnId).execute();
        await changed(tx, returnId);
      }),
    recordVoided: (returnId, at) =>
      records.transaction().execute(async (tx) => {
        await tx.updateTable('returnLabels').set({ voidedAt: at }).where('returnId', '=', returnId).where('voidedAt', 'is', null).execute();
        await changed(tx, returnId);
      }),
    drainChanges: (deliver, limit) => drainOutbox(records, deliver, limit),
  };
}
