import { mintToken, type CallerClaims } from '../gateway/auth';
import { DEMO_AUTH_JWT_SECRET, loadConfigOrExit } from '../subgraphs/shared/config';

const USAGE = `usage: npm run -s token -- customer <customerId>
       npm run -s token -- agent <agentId> <CHAT|VOICE|EMAIL|SMS|SOCIAL|HUMAN_DESK>
       npm run -s token -- operations <operatorId>`;

/** `npm run token`: a caller's JWT for trying the graph out, signed with AUTH_JWT_SECRET (the demo one by default). */
async function main() {
  const [role, sub, channel] = process.argv.slice(2);
  const claims = { role, sub, ...(channel ? { channel } : {}) } as CallerClaims;
  const config = loadConfigOrExit();
  let token: string;
  try {
    token = await mintToken(claims, config.auth);
  } catch (err) {
    process.stderr.write(`${err instanceof Error && err.name === 'ZodError' ? USAGE : (err as Error).message}\n`);
    process.exit(1);
  }
  if (config.auth.jwtSecret === DEMO_AUTH_JWT_SECRET) process.stderr.write('(signed with the public demo secret: for the embedded demo only)\n');
  process.stdout.write(`${token}\n`);
}

void main();
