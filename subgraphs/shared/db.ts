import {
  CamelCasePlugin,
  Kysely,
  Migrator,
  PostgresDialect,
  PostgresQueryCompiler,
  sql,
  type Dialect,
  type Migration,
  type PluginTransformQueryArgs,
  type RootOperationNode,
} from 'kysely';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Pool, types } from 'pg';
import type { Config } from './config';
import type { Logger } from './logger';

// Calendar dates (birthdays) stay 'YYYY-MM-DD' strings: a Date would shift them by the time zone.
const DATE_OID = 1082;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

/**
 * camelCase in TypeScript, snake_case in SQL. Rows are mapped back by CamelCasePlugin as usual,
 * but identifiers are renamed as the compiler writes them, not by the plugin's copy of each
 * query's whole tree first: without that copy a cold turn costs the subgraphs about 3% less CPU.
 */
class CamelCaseRows extends CamelCasePlugin {
  private readonly snakeNames = new Map<string, string>();

  override transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  /** The plugin's own mapping, remembered: a service writes the same few hundred names over and over. */
  toSnake = (name: string): string => {
    let snake = this.snakeNames.get(name);
    if (snake === undefined) this.snakeNames.set(name, (snake = this.snakeCase(name)));
    return snake;
  };
}

class SnakeCaseCompiler extends PostgresQueryCompiler {
  constructor(private readonly toSnake: (name: string) => string) {
    super();
  }

  protected override sanitizeIdentifier(identifier: string): string {
    return super.sanitizeIdentifier(this.toSnake(identifier));
  }
}

/** A PostgreSQL dialect (server or PGlite) whose compiler writes identifiers in snake_case. */
const snakeCased = (dialect: Dialect, rows: CamelCaseRows): Dialect => ({
  createDriver: () => dialect.createDriver(),
  createAdapter: () => dialect.createAdapter(),
  createIntrospector: (db) => dialect.createIntrospector(db),
  createQueryCompiler: () => new SnakeCaseCompiler(rows.toSnake),
});

/** One database handle per process, shared by every subgraph it hosts; each subgraph keeps to its own schema. */
export interface Database {
  db: Kysely<any>;
  kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL URL; without it, an embedded PGlite database (the demo default). */
  url?: string;
  poolMax?: number;
  /** Where PGlite keeps its files; in memory when unset. */
  pgliteDataDir?: string;
  /** Called with every SQL statement sent; tests count round trips with it. */
  onQuery?: (sql: string) => void;
}

export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const log = options.onQuery ? (event: { query: { sql: string } }) => options.onQuery!(event.query.sql) : undefined;
  const rows = new CamelCaseRows();
  const plugins = [rows];
  if (options.url) {
    const pool = new Pool({
      connectionString: options.url,
      types: pgTypes,
      max: options.poolMax ?? 10,
      // pg waits forever for a connection by default; a voice turn cannot.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // A query whose caller gave up at its deadline must not run on: the server cancels it.
      statement_timeout: 5_000,
      // Every statement here is a short lookup. JIT compiling one (when a cost estimate is high, as
      // on stale statistics) took 0.3-1.5 s against well under 1 ms to run it.
      options: '-c jit=off',
    });
    // A client that loses its server (a restart) emits 'error', idle or checked out; without a
    // listener that kills the process. The query in flight fails by itself, and the pool replaces the client.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<any>({ dialect: snakeCased(new PostgresDialect({ pool }), rows), plugins, log });
    return {
      db,
      kind: 'postgres',
      ping: async () => void (await sql`select 1`.execute(db)),
      close: () => db.destroy(),
    };
  }
  // Loaded only when asked for: a deployment on PostgreSQL never pays for the WASM build.
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const pglite = await openPglite(options.pgliteDataDir);
  const db = new Kysely<any>({ dialect: snakeCased(new PGliteDialect(pglite), rows), plugins, log });
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await sql`select 1`.execute(db)),
    close: () => db.destroy(),
  };
}

/** Where the copy of an empty PGlite cluster is kept: node_modules/.cache, keyed by PGlite's version. */
export async function emptyClusterCopy(): Promise<string> {
  // The package's folder (its exports do not include package.json).
  const entry = require.resolve('@electric-sql/pglite');
  const root = entry.slice(0, entry.lastIndexOf(join('@electric-sql', 'pglite')) + join('@electric-sql', 'pglite').length);
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  return join(root, '..', '..', '.cache', 'customer-context-graph', `pglite-${version}-empty-cluster.tar`);
}

/**
 * A new in-memory PGlite starts from a copy of an empty cluster kept in node_modules/.cache:
 * running initdb in WASM took 4-6 s of every start, loading the copy about 1.4 s. The copy is
 * made on the first start of each PGlite version; one that cannot be read or written is only a
 * slower start. A database on disk (PGLITE_DATA_DIR) opens its own files, as before.
 */
async function openPglite(dataDir?: string) {
  const { PGlite } = await import('@electric-sql/pglite');
  const options = { parsers: { [DATE_OID]: (value: string) => value } };
  if (dataDir) return PGlite.create({ ...options, dataDir });
  const copy = await emptyClusterCopy();
  const saved = await readFile(copy).catch(() => undefined);
  if (saved) {
    const loaded = await PGlite.create({ ...options, loadDataDir: new Blob([saved]) }).catch(() => undefined);
    if (loaded) return loaded;
  }
  const fresh = await PGlite.create(options);
  try {
    const tar = Buffer.from(await (await fresh.dumpDataDir('none')).arrayBuffer());
    // Written whole, then renamed: a start running beside this one never reads half a copy.
    await mkdir(dirname(copy), { recursive: true });
    const partial = `${copy}.${process.pid}.partial`;
    await writeFile(partial, tar);
    await rename(partial, copy);
  } catch {
    // A read-only install: every start runs initdb.
  }
  return fresh;
}

/** The database the configuration names: PostgreSQL with DATABASE_URL, else the embedded demo PGlite (said in the log). */
export async function openDatabase(config: Readonly<Config>, logger: Logger, onQuery?: (sql: string) => void): Promise<Database> {
  const database = await createDatabase({ url: config.databaseUrl, poolMax: config.databasePoolMax, pgliteDataDir: config.pgliteDataDir, onQuery });
  if (database.kind === 'pglite') logger.warn('no DATABASE_URL: using the embedded demo database (not for production)');
  return database;
}

/** Brings one system's schema up to date; kysely's migration lock makes concurrent starts safe. */
export async function migrateSchema(
  db: Kysely<any>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration of schema "${schema}" failed${failed ? ` at ${failed.migrationName}` : ''}`, {
      cause: error,
    });
  }
}
