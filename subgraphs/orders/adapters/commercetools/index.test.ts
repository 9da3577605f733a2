import { commercetoolsConfig } from '.';

const required = { projectKey: 'brand-prod', clientId: 'id', clientSecret: 'secret' };

describe('commercetools adapter settings', () => {
  it('needs the project key and the API client’s credentials, with no default for either', () => {
    const missing = commercetoolsConfig.safeParse({ projectKey: 'brand-prod' });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['clientId', 'clientSecret']));
  });

  it('defaults to the Europe (GCP) hosts, 50 requests a second, externalId and the graph’s own field names', () => {
    expect(commercetoolsConfig.parse(required)).toMatchObject({
      apiUrl: 'https://api.europe-west1.gcp.commercetools.com',
      authUrl: 'https://auth.europe-west1.gcp.commercetools.com',
      requestsPerSecond: 50,
      customerIdField: 'externalId',
      categoryField: 'attributes.returnCategory',
      finalSaleField: 'custom.finalSale',
      deliveredAtField: 'custom.deliveredAt',
      returnItemType: 'customer-context-return-item',
    });
  });

  it('reads numbers and lists as the environment gives them, and refuses a field path it cannot read', () => {
    expect(commercetoolsConfig.parse({ ...required, requestsPerSecond: '20', scopes: 'manage_orders:brand-prod view_customers:brand-prod' })).toMatchObject({
      requestsPerSecond: 20,
      scopes: ['manage_orders:brand-prod', 'view_customers:brand-prod'],
    });
    expect(commercetoolsConfig.parse({ ...required, customerIdField: 'custom.graphId' }).customerIdField).toBe('custom.graphId');
    expect(commercetoolsConfig.safeParse({ ...required, customerIdField: 'email' }).success).toBe(false);
    expect(commercetoolsConfig.safeParse({ ...required, customerIdField: 'attributes.x' }).success).toBe(false);
    expect(commercetoolsConfig.safeParse({ ...required, webhookToken: 'short' }).success).toBe(false);
  });
});
