import { createHmac } from 'node:crypto';
import { sha256 } from '@zizhu/crypto';
import { badInput, type ZizhuConfig } from '@zizhu/platform';
import type { PersonKind } from '@zizhu/contract-lending';

/**
 * The person behind a customer, without revealing who: `borrowerRef` = HMAC-SHA256 under the
 * consortium-wide identity key (LENDING_IDENTITY_KEY) of the normalised national ID (a resident
 * identity card number for a natural person, a unified social credit code for a legal one). The
 * same person on two platforms gets the same pseudonym, so the contract sums their debt across
 * platforms; nobody without the key can compute or test one.
 *
 * Limits: a holder of the key can test guesses (the ID space is small enough for a dictionary
 * attack: region × birth date × sequence), so the key goes only to the nodes of the platforms that
 * register customers, as a secret; and changing it changes every pseudonym (the registered
 * customers keep their old ones: a rotation means re-registering, so it is not done lightly).
 */
const REF_DOMAIN = 'zizhu:lending:person:v1\n';

/** Folds full-width ASCII to ASCII and drops every kind of whitespace, then upper-cases a-z. */
function fold(value: string): string {
  return value
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]/g, '')
    .toUpperCase();
}

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_ID_CHECK = '10X98765432';
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character of the first 17 characters of a resident identity card number (GB 11643, ISO 7064 MOD 11-2). */
export function residentIdCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * RESIDENT_ID_WEIGHTS[i];
  return RESIDENT_ID_CHECK[sum % 11];
}

/** The check character of the first 17 characters of a unified social credit code (GB 32100). */
export function socialCreditCodeCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** The national ID in its one canonical form, or BAD_USER_INPUT (INVALID_NATIONAL_ID). */
export function normaliseNationalId(kind: PersonKind, raw: string): string {
  const id = fold(raw);
  if (kind === 'NATURAL') {
    if (!/^[1-9][0-9]{16}[0-9X]$/.test(id) || residentIdCheck(id) !== id[17]) {
      throw badInput('nationalId must be an 18-character resident identity card number with a valid check digit', 'INVALID_NATIONAL_ID');
    }
  } else if (!/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(id) || socialCreditCodeCheck(id) !== id[17]) {
    throw badInput('nationalId of a legal person must be an 18-character unified social credit code with a valid check character', 'INVALID_NATIONAL_ID');
  }
  return id;
}

/** A phone number as digits (a leading + kept), 6 to 20 of them. */
export function normalisePhone(raw: string): string {
  const phone = fold(raw).replace(/[-()]/g, '');
  if (!/^\+?[0-9]{6,20}$/.test(phone)) throw badInput('phone must be 6 to 20 digits, optionally after a +', 'INVALID_PHONE');
  return phone;
}

/** A bank card number: 12 to 19 digits passing the Luhn check. */
export function normaliseBankCard(raw: string): string {
  const card = fold(raw).replace(/-/g, '');
  let sum = 0;
  for (let i = 0; i < card.length; i++) {
    let d = Number(card[card.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  if (!/^[0-9]{12,19}$/.test(card) || sum % 10 !== 0) throw badInput('bankCard must be 12 to 19 digits passing the Luhn check', 'INVALID_BANK_CARD');
  return card;
}

/** The person's pseudonym: 64 lowercase hex. */
export function borrowerRefOf(identityKey: Uint8Array, normalisedId: string): string {
  return createHmac('sha256', identityKey).update(REF_DOMAIN).update(normalisedId).digest('hex');
}

/**
 * The identity key from the configuration: LENDING_IDENTITY_KEY (64 hex); absent outside
 * production, one derived from the consortium id, the same on every development node of that
 * consortium and useless anywhere else; absent in production, undefined (this node registers no customers).
 */
export function lendingIdentityKey(config: Pick<ZizhuConfig, 'LENDING_IDENTITY_KEY' | 'NODE_ENV' | 'CONSORTIUM_ID'>): Buffer | undefined {
  if (config.LENDING_IDENTITY_KEY) return Buffer.from(config.LENDING_IDENTITY_KEY, 'hex');
  if (config.NODE_ENV === 'production') return undefined;
  return sha256(`zizhu:lending:development-identity-key\n${config.CONSORTIUM_ID}`);
}
