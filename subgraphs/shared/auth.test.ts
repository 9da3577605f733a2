import { actorFor, mayRead, signSessionToken, signViewer, verifySessionToken, verifyViewer, type Viewer } from './auth';

const SECRET = 'a-test-secret-of-at-least-32-characters!!';

describe('the forwarded caller', () => {
  const agent: Viewer = { kind: 'agent', id: 'bot-1', channel: 'VOICE', customerId: 'cus_1', sessionId: 'vs_1' };

  it('reads back what the gateway signed', () => {
    expect(verifyViewer(signViewer(agent, SECRET), SECRET)).toEqual(agent);
  });

  it('refuses a missing, forged, re-signed or altered header', () => {
    const header = signViewer(agent, SECRET);
    const [payload, signature] = header.split('.');
    const widened = Buffer.from(JSON.stringify({ kind: 'service', id: 'x' })).toString('base64url');
    expect(verifyViewer(undefined, SECRET)).toBeNull();
    expect(verifyViewer(`${widened}.${signature}`, SECRET)).toBeNull();
    expect(verifyViewer(signViewer(agent, 'another-secret-of-at-least-32-characters'), SECRET)).toBeNull();
    expect(verifyViewer(`${payload}.${signature.slice(0, -2)}xx`, SECRET)).toBeNull();
    expect(verifyViewer('garbage', SECRET)).toBeNull();
  });

  it('remembers a verified header for its secret only', () => {
    const header = signViewer(agent, SECRET);
    expect(verifyViewer(header, SECRET)).toEqual(agent);
    // Known under SECRET, still refused where the gateway secret is another one.
    expect(verifyViewer(header, 'another-secret-of-at-least-32-characters')).toBeNull();
    expect(verifyViewer(header, SECRET)).toEqual(agent);
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
