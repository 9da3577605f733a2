import { readFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './compose';

describe('the committed supergraph', () => {
  it('composes from the four subgraph schemas without errors', () => {
    expect(() => composeSupergraph()).not.toThrow();
  });

  it('is what `npm run compose` writes now (run it after changing a subgraph schema)', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composeSupergraph());
  });
});
