import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run build`: the services compiled to dist/ (tsconfig.build.json), with the files they read
 * by path beside their code, as in the source tree: each subgraph's schema.graphql, the supergraph
 * and the named operations (all found from `__dirname`), and the desk's files.
 */
const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

rmSync(DIST, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
for (const folder of ['gateway', 'subgraphs', 'schema']) {
  for (const file of readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })) {
    if (file.endsWith('.graphql')) cpSync(join(ROOT, folder, file), join(DIST, folder, file), { force: true });
  }
}
// The agent desk's page and scripts, served as they are (gateway/desk.ts reads them beside dist/gateway).
cpSync(join(ROOT, 'desk'), join(DIST, 'desk'), { recursive: true, filter: (path) => !path.endsWith('tsconfig.json') });
process.stdout.write(`built ${DIST}\n`);
