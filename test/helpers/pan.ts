/** Whether a digit string passes the Luhn check, as every card number (PAN) does. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Runs of 13 to 19 digits (spaces or dashes between them allowed, as cards are printed) that pass
 * Luhn. A run after "+" is an E.164 phone number, which no card number is written as.
 */
export function findCardNumbers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?<![\d+])\d(?:[ -]?\d){12,18}(?![\d])/g)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) found.push(match[0]);
  }
  return found;
}

/** Fails the test at hand when `text` holds anything that looks like a card number. */
export function assertNoCardNumbers(text: string, where: string): void {
  const found = findCardNumbers(text);
  if (found.length) throw new Error(`A card number (Luhn-valid, 13-19 digits) in ${where}: ${found[0].slice(0, 4)}…`);
}
