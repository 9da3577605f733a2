import { createHmac } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { loadApiSchema, loadOperations } from '../../schema/operations';
import { leadingComments, loadTools, snakeCase, toolOf } from './tools';
import { budgetMs, signRetell } from './voice';

const schema = loadApiSchema();
const tools = loadTools(schema);
const ajv = addFormats(new Ajv({ strict: false }));

describe('tools from the named operations', () => {
  it('makes every named operation a tool, each with a description from its comments', () => {
    expect([...tools.keys()].sort()).toEqual(Object.keys(loadOperations()).map(snakeCase).sort());
    for (const tool of tools.values()) expect(tool.description.length).toBeGreaterThan(60);
    expect(leadingComments('# One.\n# Two.\nquery A { a }')).toBe('One. Two.');
  });

  it('generates input schemas that require what the operation requires and hold back what the server fills in', () => {
    const verify = tools.get('verify_caller')!;
    expect(verify.inputSchema).toMatchObject({ required: ['input'], properties: { input: { required: ['callerId', 'method', 'answer'], additionalProperties: false } } });
    expect(Object.keys((verify.inputSchema.properties as any).input.properties).sort()).toEqual(['answer', 'callerId', 'method']);
    expect(verify.heldPaths).toEqual(expect.arrayContaining([['input', 'identification'], ['input', 'channel'], ['input', 'agentId']]));
    const validate = ajv.compile(verify.inputSchema);
    expect(validate({ input: { callerId: 'cus_1', method: 'POSTAL_CODE', answer: '1' } })).toBe(true);
    expect(validate({ input: { callerId: 'cus_1', method: 'SHOE_SIZE', answer: '1' } })).toBe(false);
    // A defaulted variable is optional.
    expect(tools.get('my_orders')!.inputSchema.required).toEqual([]);
  });

  it('generates output schemas that the graph’s answers satisfy, nulls where the schema allows them', () => {
    const page = tools.get('order_page')!;
    const validate = ajv.compile(page.outputSchema);
    expect(validate({ order: null })).toBe(true);
    expect(validate({})).toBe(false);
    const verify = ajv.compile(tools.get('verify_caller')!.outputSchema);
    expect(verify({ verifyCaller: { status: 'WRONG_ANSWER', attemptsRemaining: 4, lockedUntil: null, session: null } })).toBe(true);
    expect(verify({ verifyCaller: { status: 'MAYBE', attemptsRemaining: 4, lockedUntil: null, session: null } })).toBe(false);
    // The session's token is never part of what the model is told it gets.
    expect(JSON.stringify(tools.get('verify_caller')!.outputSchema)).not.toContain('token');
  });

  it('marks reads read-only and writes idempotent, and gives each the roles of its root field', () => {
    expect(tools.get('customer_context')).toMatchObject({ kind: 'query', roles: ['agent'], needsSession: true, annotations: { readOnlyHint: true } });
    expect(tools.get('initiate_return')).toMatchObject({ kind: 'mutation', roles: ['customer', 'agent'], annotations: { readOnlyHint: false, idempotentHint: true } });
    expect(tools.get('contact_rate')!.roles).toEqual(['operations']);
    expect(toolOf('Internal', '# x\nquery Internal { auditLog(first: 1) { id } }', schema)).toBeUndefined();
  });
});

describe('voice platform details', () => {
  it('answers inside the platform’s wait, less a margin, and never past the gateway’s own limit', () => {
    expect(budgetMs(4_000, undefined, 10_000)).toBe(3_700);
    expect(budgetMs(4_000, '1000', 10_000)).toBe(800);
    expect(budgetMs(4_000, '9000', 10_000)).toBe(3_700);
    expect(budgetMs(20_000, undefined, 2_000)).toBe(2_000);
  });

  it('signs as Retell does: v=<ms>,d=<hex HMAC of body + ms>', () => {
    const signature = signRetell('{"a":1}', 'key-0123456789abcdef', 1_700_000_000_000);
    expect(signature).toBe(`v=1700000000000,d=${createHmac('sha256', 'key-0123456789abcdef').update('{"a":1}1700000000000').digest('hex')}`);
  });
});
