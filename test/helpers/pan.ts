import { findCardNumbers } from '../../subgraphs/shared/pii';

/** Fails the test at hand when `text` holds anything that looks like a card number. */
export function assertNoCardNumbers(text: string, where: string): void {
  const found = findCardNumbers(text);
  if (found.length) throw new Error(`A card number (Luhn-valid, 13-19 digits) in ${where}: ${found[0].slice(0, 4)}…`);
}
