import { actorFor, callerKeyOf, callerKeyOfHeader, mayRead, serviceMay, signIdentification, signSessionToken, signViewer, verifyIdentification, verifySessionToken, verifyViewer, type Viewer } from './auth';

const SECRET = 'a-test-secret-of-at-least-32-characters!!';

describe('the forwarded caller', () => {
  const expiresAt = Date.now() + 600_000;
  const agent: Viewer = { kind: 'agent', id: 'bot-1', channel: 'VOICE', customerId: 'cus_1', sessionId: 'vs_1', sessionExpiresAt: expiresAt };
  const forOrders = { audience: 'orders', requestId: 'req-1' };

  it('reads back what the gateway signed, for the subgraph it was signed for', () => {
    expect(verifyViewer(signViewer(agent, SECRET, forOrders), SECRET, 'orders')).toEqual(agent);
    expect(() => verifyViewer(signViewer(agent, SECRET, forOrders), SECRET, 'customers')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('refuses a missing, forged, re-signed, altered or expired header', () => {
    const header = signViewer(agent, SECRET, forOrders);
    const [identity, binding, signature] = header.split('.');
    const widened = Buffer.from(JSON.stringify({ kind: 'service', id: 'unrestricted' })).toString('base64url');
    const refused = (h: string | undefined, now?: number) => () => verifyViewer(h, SECRET, 'orders', { now });
    for (const bad of [undefined, `${widened}.${binding}.${signature}`, signViewer(agent, 'another-secret-of-at-least-32-characters', forOrders), `${identity}.${binding}.${signature.slice(0, -2)}xx`, 'garbage']) {
      expect(refused(bad)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    }
    expect(refused(signViewer(agent, SECRET, { ...forOrders, ttlMs: 1_000, now: Date.now() - 2_000 }))).toThrow(/expired/);
    // Remembered while valid, refused once past its expiry all the same.
    const short = signViewer(agent, SECRET, { ...forOrders, ttlMs: 5_000 });
    expect(verifyViewer(short, SECRET, 'orders')).toEqual(agent);
    expect(refused(short, Date.now() + 6_000)).toThrow(/expired/);
  });

  it('refuses an agent whose verified session has ended, with its own code', () => {
    const ended = signViewer({ ...agent, sessionExpiresAt: Date.now() - 1 }, SECRET, forOrders);
    expect(() => verifyViewer(ended, SECRET, 'orders')).toThrow(expect.objectContaining({ code: 'VERIFICATION_EXPIRED' }));
  });

  it('keys caches by who asks, not by the header bytes', () => {
    const [a, b] = [signViewer(agent, SECRET, forOrders), signViewer(agent, SECRET, { audience: 'orders', requestId: 'req-2' })];
    expect(a).not.toEqual(b);
    expect(callerKeyOfHeader(a)).toEqual(callerKeyOfHeader(b));
    expect(callerKeyOfHeader(a)).toEqual(callerKeyOf(agent));
    expect(callerKeyOf(agent)).not.toEqual(callerKeyOf({ ...agent, customerId: 'cus_2' }));
  });

  it('remembers a verified header for its secret only', () => {
    const header = signViewer(agent, SECRET, forOrders);
    expect(verifyViewer(header, SECRET, 'orders')).toEqual(agent);
    expect(() => verifyViewer(header, 'another-secret-of-at-least-32-characters', 'orders')).toThrow();
    expect(verifyViewer(header, SECRET, 'orders')).toEqual(agent);
  });
});

describe('service identities', () => {
  it('hold only the internal operations they are granted, and no customer’s data', () => {
    const audit: Viewer = { kind: 'service', id: 'gateway-audit' };
    expect(serviceMay(audit, 'audit')).toBe(true);
    expect(serviceMay(audit, 'eraseOrderData')).toBe(false);
    expect(mayRead(audit, 'cus_1')).toBe(false);
    expect(serviceMay({ kind: 'service', id: 'customers' }, 'eraseOrderData')).toBe(true);
    expect(serviceMay({ kind: 'service', id: 'customers' }, 'issueReturnLabel')).toBe(false);
    expect(serviceMay({ kind: 'service', id: 'orders' }, 'issueReturnLabel')).toBe(true);
    expect(serviceMay({ kind: 'customer', id: 'cus_1' }, 'audit')).toBe(false);
  });
});

describe('identification handles', () => {
  it('name the caller and the fact that found them, and expire', () => {
    const token = signIdentification({ customerId: 'cus_1', by: 'EMAIL', channel: 'CHAT' }, SECRET);
    expect(verifyIdentification(token, SECRET)).toMatchObject({ customerId: 'cus_1', by: 'EMAIL', channel: 'CHAT' });
    expect(verifyIdentification(token, 'another-secret-of-at-least-32-characters')).toBeNull();
    expect(verifyIdentification(token, SECRET, Date.now() + 11 * 60_000)).toBeNull();
    // A viewer header is no identification, even signed with the same secret.
    expect(verifyIdentification(signViewer({ kind: 'customer', id: 'cus_1' }, SECRET, { audience: 'customers', requestId: 'r' }), SECRET)).toBeNull();
  });
});

describe('scope', () => {
  it('lets a customer read their own data, an agent the verified customer, operations no single customer', () => {
    expect(mayRead({ kind: 'customer', id: 'cus_1' }, 'cus_1')).toBe(true);
    expect(mayRead({ kind: 'customer', id: 'cus_1' }, 'cus_2')).toBe(false);
    expect(mayRead({ kind: 'agent', id: 'a', channel: 'CHAT' }, 'cus_1')).toBe(false);
    expect(mayRead({ kind: 'agent', id: 'a', channel: 'CHAT', customerId: 'cus_1' }, 'cus_1')).toBe(true);
    expect(mayRead({ kind: 'operations', id: 'o' }, 'cus_1')).toBe(false);
  });

  it('records writes as the token says, and refuses writing as another channel or for another customer', () => {
    const agent: Viewer = { kind: 'agent', id: 'bot-1', channel: 'VOICE', customerId: 'cus_1' };
    expect(actorFor(agent, 'cus_1', 'VOICE')).toEqual({ channel: 'VOICE', agentId: 'bot-1' });
    expect(() => actorFor(agent, 'cus_1', 'HUMAN_DESK')).toThrow(/VOICE only/);
    expect(() => actorFor(agent, 'cus_2')).toThrow(/No customer/);
    expect(() => actorFor({ kind: 'agent', id: 'a', channel: 'VOICE' }, 'cus_1')).toThrow(/Verify the caller/);
    expect(actorFor({ kind: 'customer', id: 'cus_1' }, 'cus_1')).toEqual({ channel: 'PORTAL', agentId: null });
    expect(() => actorFor({ kind: 'operations', id: 'o' }, 'cus_1')).toThrow(/Operations/);
  });
});

describe('verified-session tokens', () => {
  it('round-trip, and expire with a distinct code', async () => {
    const session = { sessionId: 'vs_1', customerId: 'cus_1', channel: 'VOICE' as const, expiresAt: new Date(Date.now() + 60_000) };
    const token = await signSessionToken(session, SECRET);
    await expect(verifySessionToken(token, SECRET)).resolves.toEqual({ ...session, expiresAt: new Date(Math.floor(session.expiresAt.getTime() / 1000) * 1000) });
    await expect(verifySessionToken(token, 'another-secret-of-at-least-32-characters')).rejects.toMatchObject({ code: 'VERIFICATION_REQUIRED' });
    const old = await signSessionToken({ ...session, expiresAt: new Date(Date.now() - 1_000) }, SECRET);
    await expect(verifySessionToken(old, SECRET)).rejects.toMatchObject({ code: 'VERIFICATION_EXPIRED' });
  });
});
