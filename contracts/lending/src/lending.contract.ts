import { canonicalJson, ContractError, sha256Hex, type ContractContext, type MethodSpec } from '@zizhu/chain';

export const CUSTOMER_ROLES = ['LENDER', 'BORROWER', 'GUARANTOR'] as const;
export type CustomerRole = (typeof CUSTOMER_ROLES)[number];
export const PERSON_KINDS = ['NATURAL', 'LEGAL'] as const;
export type PersonKind = (typeof PERSON_KINDS)[number];
export const FILING_STATUSES = ['FILED', 'FILING_IN_PROGRESS', 'NOT_FILED'] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];
export const APR_CAP_MODES = ['LPR_X4', 'LEGACY_24'] as const;
export type AprCapMode = (typeof APR_CAP_MODES)[number];
export const REPAYMENT_METHODS = ['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL', 'INTEREST_ONLY'] as const;
export type RepaymentMethod = (typeof REPAYMENT_METHODS)[number];
export const COLLATERAL_TYPES = ['VEHICLE', 'PROPERTY', 'EQUIPMENT', 'RECEIVABLE', 'OTHER'] as const;
export type CollateralType = (typeof COLLATERAL_TYPES)[number];

/**
 * Every reason a lending transaction is REVERTED with. Stable and machine-readable: projections
 * (regulator alerts on DOUBLE_PLEDGE, CAP_EXCEEDED, ...) and the GraphQL `extensions.reason` use them.
 */
export const LENDING_REASONS = [
  // configuration
  'INVALID_CAPS',
  'LPR_ALREADY_EFFECTIVE',
  'LPR_IN_PAST',
  'LPR_NOT_SET',
  // platforms
  'PLATFORM_EXISTS',
  'PLATFORM_NOT_FOUND',
  'NOT_CUSTODIAN',
  'PLATFORM_NOT_FILED',
  'PLATFORM_ALREADY_APPROVED',
  'PLATFORM_NOT_APPROVED',
  'PLATFORM_SUSPENDED',
  'PLATFORM_NOT_SUSPENDED',
  // customers and custody
  'CUSTOMER_EXISTS',
  'CUSTOMER_NOT_FOUND',
  'NOT_YOUR_CUSTOMER',
  'ROLE_MISSING',
  'PERSON_KIND_MISMATCH',
  'SEALED_TOO_LARGE',
  'INSTRUCTION_CONFLICT',
  'INSUFFICIENT_FUNDS',
  // collateral
  'INVALID_IDENTIFIER',
  'COLLATERAL_NOT_FOUND',
  'DOUBLE_PLEDGE',
  'COLLATERAL_IN_ENFORCEMENT',
  // listings and funding
  'APR_CAP_EXCEEDED',
  'PURPOSE_PROHIBITED',
  'CAP_EXCEEDED',
  'MATURITY_SPLITTING',
  'DEADLINE_IN_PAST',
  'LOAN_NOT_FOUND',
  'LISTING_NOT_OPEN',
  'FUNDING_CLOSED',
  'FUNDING_OPEN',
  'NOT_LISTING_PLATFORM',
  'OVER_BID',
  'SELF_FUNDING',
  'TOO_MANY_BIDS',
  // claims
  'CLAIM_NOT_FOUND',
  'SAME_HOLDER',
  'OFFER_EXISTS',
  'OFFER_NOT_FOUND',
  'NOT_A_PARTY',
  'LOAN_NOT_ACTIVE',
  'LOAN_MATURED',
  // repayment
  'INSTALMENT_OUT_OF_ORDER',
  'INSTALMENT_NOT_FOUND',
  'INSTALMENT_PAID',
  'ALREADY_OVERDUE',
  'NOT_YET_OVERDUE',
  'NOT_OVERDUE',
] as const;
export type LendingReason = (typeof LENDING_REASONS)[number];

/** Money: integer minor units (fen) as a decimal string; `bigint` in code. */
export type Fen = string;

/** JWE general JSON serialisation (RFC 7516 §7.2.1), made off chain for the entitled organisations; the contract only bounds it. */
export interface SealedJwe {
  protected: string;
  unprotected?: Record<string, unknown>;
  aad?: string;
  recipients: { encrypted_key: string; header?: Record<string, unknown> }[];
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface DocumentDigest {
  alg: 'sha256' | 'sm3';
  value: string;
}

export interface BorrowingCaps {
  /** Outstanding principal plus open listings of one person on one platform. */
  perPlatform: Fen;
  /** The same across every platform of the consortium. */
  total: Fen;
}

/** `cfg`: the regulator's settings (the contract's defaults until the regulator first configures). */
export interface LendingConfig {
  caps: Record<PersonKind, BorrowingCaps>;
  aprCapMode: AprCapMode;
  prohibitedPurposes: string[];
  graceDays: number;
  updatedAt: number | null;
  updatedBy: string | null;
}

/** `lpr/<effectiveFrom, 15 digits>`: one-year LPR in basis points from `effectiveFrom` (ms) on. */
export interface LprEntry {
  effectiveFrom: number;
  bps: number;
  publishedAt: number;
  tx: string;
}

export type PlatformStatus = 'PENDING' | 'ACTIVE' | 'SUSPENDED';

/** `plat/<org>`: a lending platform and its custodian bank. */
export interface LendingPlatform {
  org: string;
  custodian: string;
  registrationNo: string;
  name: string;
  filingStatus: FilingStatus;
  custodyAgreementRef: string;
  status: PlatformStatus;
  registeredAt: number;
  approvedAt: number | null;
  suspendedAt: number | null;
  suspendReason: string | null;
}

/** `cust/<customerId>`: a platform's customer; identity only in `sealed` (KYC for the platform and the regulator). */
export interface Customer {
  id: string;
  platform: string;
  roles: CustomerRole[];
  personKind: PersonKind;
  /** Pseudonym of the person, derived off chain from the national ID: the key of the cross-platform caps. */
  borrowerRef: string;
  sealed: SealedJwe;
  registeredAt: number;
  updatedAt: number;
  tx: string;
}

/** `acct/<customerId>`: the customer's custody sub-account at the platform's custodian bank. */
export interface CustodyAccount {
  id: string;
  platform: string;
  bank: string;
  available: Fen;
  frozen: Fen;
}

/**
 * `bank/<org>`: the custodian's totals for reconciliation with its core banking system.
 * Invariant: available + frozen = deposited − withdrawn + transferredIn − transferredOut.
 */
export interface BankTotals {
  bank: string;
  accounts: number;
  available: Fen;
  frozen: Fen;
  deposited: Fen;
  withdrawn: Fen;
  /** Money that reached this bank's accounts from another bank's (claim sales, repayments to holders elsewhere). */
  transferredIn: Fen;
  transferredOut: Fen;
  instructions: number;
}

export type InstructionKind = 'DEPOSIT' | 'WITHDRAWAL';

/** `ins/<bank>/<ref>`: a custody instruction, kept so the same reference is applied once. */
export interface CustodyInstruction {
  ref: string;
  bank: string;
  kind: InstructionKind;
  customerId: string;
  amount: Fen;
  at: number;
  tx: string;
}

/** `debt/<borrowerRef>`: a person's exposure across platforms (outstanding principal plus open listings). */
export interface PersonExposure {
  borrowerRef: string;
  personKind: PersonKind;
  total: Fen;
}

/** `debt/<borrowerRef>/<platform>`: the same person's exposure on one platform. */
export interface PlatformExposure {
  platform: string;
  amount: Fen;
}

/** `open/<borrowerRef>/<platform>/<purpose>`: the listing or loan that blocks another for the same purpose (maturity splitting). */
export interface OpenPurpose {
  loanId: string;
}

export type CollateralStatus = 'FREE' | 'PLEDGED' | 'ENFORCEMENT';

/** `col/<assetId>`: a digitised collateral asset; its status is public, its owner sealed. */
export interface Collateral {
  id: string;
  type: CollateralType;
  identifier: string;
  appraisedValue: Fen;
  documents: DocumentDigest[];
  sealedOwner: SealedJwe;
  registeredBy: string;
  registeredAt: number;
  status: CollateralStatus;
  lien: { loanId: string; platform: string; since: number } | null;
}

export type LoanStatus = 'OPEN' | 'ACTIVE' | 'OVERDUE' | 'DEFAULTED' | 'REPAID' | 'CANCELLED';

/** `loan/<id>`: a listing (OPEN) and, once fully funded, the loan; the id is the listing transaction's hash. */
export interface Loan {
  id: string;
  platform: string;
  bank: string;
  borrower: string;
  borrowerRef: string;
  personKind: PersonKind;
  amount: Fen;
  aprBps: number;
  /** The APR cap in force when listed (LPR_X4: 4 × that day's LPR). */
  aprCapBps: number;
  termMonths: number;
  method: RepaymentMethod;
  purpose: string;
  fundingDeadline: number;
  collateralId: string | null;
  sealed: SealedJwe | null;
  status: LoanStatus;
  funded: Fen;
  bids: number;
  listedAt: number;
  height: number;
  tx: string;
  activatedAt: number | null;
  maturesAt: number | null;
  outstanding: Fen;
  /** The instalment to repay next (1-based); 0 while OPEN or once closed. */
  nextInstalment: number;
  overdueInstalments: number;
  closedAt: number | null;
  defaultedAt: number | null;
  defaultReason: string | null;
}

/** `bid/<loanId>/<bidId>`: a lender's bid; the amount is plaintext because the contract moves it, the detail is sealed. */
export interface Bid {
  id: string;
  loanId: string;
  lender: string;
  amount: Fen;
  sealed: SealedJwe;
  at: number;
}

/** `claim/<loanId>/<claimId>`: a claim token, one per lender of the loan, transferable whole. */
export interface ClaimToken {
  id: string;
  loanId: string;
  holder: string;
  holderPlatform: string;
  /** Principal lent by the original lender. */
  face: Fen;
  outstanding: Fen;
  principalReceived: Fen;
  interestReceived: Fen;
  acquiredAt: number;
  transfers: number;
}

/** `offer/<loanId>/<claimId>`: the one open sale offer of a claim. */
export interface ClaimOffer {
  loanId: string;
  claimId: string;
  seller: string;
  sellerPlatform: string;
  buyer: string;
  buyerPlatform: string;
  price: Fen;
  sealed: SealedJwe;
  offeredAt: number;
  tx: string;
}

export type InstalmentStatus = 'DUE' | 'OVERDUE' | 'PAID';

/** `inst/<loanId>/<k, 3 digits>`: one instalment of the repayment schedule and, once paid, its split. */
export interface Instalment {
  k: number;
  dueAt: number;
  principal: Fen;
  interest: Fen;
  total: Fen;
  status: InstalmentStatus;
  overdueAt: number | null;
  paidAt: number | null;
  paidLate: boolean;
  shares: { claimId: string; holder: string; principal: Fen; interest: Fen }[];
}

/** One line of a repayment schedule (amounts in fen). */
export interface ScheduledInstalment {
  k: number;
  principal: bigint;
  interest: bigint;
  total: bigint;
  /** Principal still owed after this instalment. */
  balance: bigint;
}

export type MovementKind = 'DEPOSIT' | 'WITHDRAWAL' | 'BID_FREEZE' | 'BID_UNFREEZE' | 'DISBURSEMENT' | 'REPAYMENT' | 'CLAIM_SALE';

type Bucket = 'available' | 'frozen';

const HEX64 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const ORG = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } as const;
const FEN = { type: 'string', pattern: '^(0|[1-9][0-9]{0,17})$' } as const;
const POSITIVE_FEN = { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } as const;
const TIME = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const PURPOSE = { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,31}$' } as const;
const TEXT = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const INSTRUCTION_REF = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$' } as const;
const B64URL = (maxLength: number) => ({ type: 'string', pattern: '^[A-Za-z0-9_-]*$', maxLength }) as const;
const SEALED = {
  type: 'object',
  additionalProperties: false,
  required: ['protected', 'recipients', 'iv', 'ciphertext', 'tag'],
  properties: {
    protected: B64URL(4096),
    unprotected: { type: 'object', maxProperties: 16 },
    aad: B64URL(4096),
    recipients: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: { type: 'object', additionalProperties: false, required: ['encrypted_key'], properties: { encrypted_key: B64URL(1024), header: { type: 'object', maxProperties: 16 } } },
    },
    iv: B64URL(64),
    ciphertext: B64URL(65536),
    tag: B64URL(64),
  },
} as const;
const object = (required: string[], properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ type: 'object', additionalProperties: false, required, properties, ...extra }) as MethodSpec['args'];
const CAPS = object(['perPlatform', 'total'], { perPlatform: POSITIVE_FEN, total: POSITIVE_FEN });
const PLATFORM = { org: ORG };
const LOAN = { loanId: HEX64 };
const CLAIM = { loanId: HEX64, claimId: HEX64 };
const ROLES = { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { enum: [...CUSTOMER_ROLES] } } as const;

/**
 * The lending contract: P2P loan platforms under a bank's fund custody and the regulator's rules.
 *
 * Who signs: the regulator (configuration, LPR table); a BANK for the platforms it is custodian of
 * and their customers' custody instructions; a PLATFORM for its own customers (registration,
 * collateral, listings, bids, claim sales, repayments), signing on the customer's behalf. Money
 * moves only between customers' custody accounts, by the contract: lender → borrower on full
 * funding, borrower → claim holders on repayment, buyer → seller on a claim sale.
 *
 * What is plaintext in state (every channel member reads it): amounts and balances per pseudonymous
 * customer id, because the contract must move and check them, and the borrower pseudonym that the
 * caps are summed by. Who a customer is, what a bid or a claim sale says, and who owns a collateral
 * are sealed JWEs made off chain for the entitled organisations.
 */
export class LendingContract {
  static readonly contractName = 'lending';
  static readonly version: string = '1.0.0';
  static readonly methods: Record<string, MethodSpec> = {
    // Regulator
    configure: {
      orgKinds: ['REGULATOR'],
      args: object(
        [],
        {
          caps: object([], { NATURAL: CAPS, LEGAL: CAPS }, { minProperties: 1 }),
          aprCapMode: { enum: [...APR_CAP_MODES] },
          prohibitedPurposes: { type: 'array', maxItems: 64, uniqueItems: true, items: PURPOSE },
          graceDays: { type: 'integer', minimum: 0, maximum: 365 },
        },
        { minProperties: 1 },
      ),
    },
    setLpr: { orgKinds: ['REGULATOR'], args: object(['effectiveFrom', 'bps'], { effectiveFrom: TIME, bps: { type: 'integer', minimum: 1, maximum: 10000 } }) },
    // Custodian bank: platforms
    registerPlatform: {
      orgKinds: ['BANK'],
      args: object(['org', 'registrationNo', 'name', 'filingStatus', 'custodyAgreementRef'], {
        ...PLATFORM,
        registrationNo: TEXT(64),
        name: TEXT(256),
        filingStatus: { enum: [...FILING_STATUSES] },
        custodyAgreementRef: TEXT(128),
      }),
    },
    updatePlatform: {
      orgKinds: ['BANK'],
      args: object(['org'], { ...PLATFORM, name: TEXT(256), filingStatus: { enum: [...FILING_STATUSES] }, custodyAgreementRef: TEXT(128) }, { minProperties: 2 }),
    },
    approvePlatform: { orgKinds: ['BANK'], args: object(['org'], PLATFORM) },
    suspendPlatform: { orgKinds: ['BANK'], args: object(['org', 'reason'], { ...PLATFORM, reason: TEXT(1024) }) },
    resumePlatform: { orgKinds: ['BANK'], args: object(['org'], PLATFORM) },
    // Custodian bank: custody instructions
    deposit: { orgKinds: ['BANK'], args: object(['ref', 'customerId', 'amount'], { ref: INSTRUCTION_REF, customerId: HEX64, amount: POSITIVE_FEN }) },
    withdraw: { orgKinds: ['BANK'], args: object(['ref', 'customerId', 'amount'], { ref: INSTRUCTION_REF, customerId: HEX64, amount: POSITIVE_FEN }) },
    // Platform: customers and collateral
    registerCustomer: {
      orgKinds: ['PLATFORM'],
      args: object(['borrowerRef', 'personKind', 'roles', 'sealed'], { borrowerRef: HEX64, personKind: { enum: [...PERSON_KINDS] }, roles: ROLES, sealed: SEALED }),
    },
    updateCustomer: { orgKinds: ['PLATFORM'], args: object(['customerId'], { customerId: HEX64, roles: ROLES, sealed: SEALED }, { minProperties: 2 }) },
    registerCollateral: {
      orgKinds: ['PLATFORM'],
      args: object(['type', 'identifier', 'appraisedValue', 'documents', 'sealedOwner'], {
        type: { enum: [...COLLATERAL_TYPES] },
        identifier: TEXT(128),
        appraisedValue: POSITIVE_FEN,
        documents: {
          type: 'array',
          maxItems: 32,
          items: object(['alg', 'value'], { alg: { enum: ['sha256', 'sm3'] }, value: HEX64 }),
        },
        sealedOwner: SEALED,
      }),
    },
    // Platform: listings, funding, claims, repayment
    createListing: {
      orgKinds: ['PLATFORM'],
      args: object(['borrower', 'amount', 'aprBps', 'termMonths', 'method', 'purpose', 'fundingDeadline'], {
        borrower: HEX64,
        amount: POSITIVE_FEN,
        aprBps: { type: 'integer', minimum: 0, maximum: 100000 },
        termMonths: { type: 'integer', minimum: 1, maximum: 360 },
        method: { enum: [...REPAYMENT_METHODS] },
        purpose: PURPOSE,
        fundingDeadline: TIME,
        collateralId: HEX64,
        sealed: SEALED,
      }),
    },
    bid: { orgKinds: ['PLATFORM'], args: object(['loanId', 'lender', 'amount', 'sealed'], { ...LOAN, lender: HEX64, amount: POSITIVE_FEN, sealed: SEALED }) },
    cancelListing: { args: object(['loanId'], LOAN) },
    offerClaim: { orgKinds: ['PLATFORM'], args: object(['loanId', 'claimId', 'buyer', 'price', 'sealed'], { ...CLAIM, buyer: HEX64, price: FEN, sealed: SEALED }) },
    acceptClaimOffer: { orgKinds: ['PLATFORM'], args: object(['loanId', 'claimId'], CLAIM) },
    withdrawClaimOffer: { orgKinds: ['PLATFORM'], args: object(['loanId', 'claimId'], CLAIM) },
    repay: { orgKinds: ['PLATFORM'], args: object(['loanId', 'instalment'], { ...LOAN, instalment: { type: 'integer', minimum: 1, maximum: 360 } }) },
    markOverdue: { args: object(['loanId', 'instalment'], { ...LOAN, instalment: { type: 'integer', minimum: 1, maximum: 360 } }) },
    declareDefault: { orgKinds: ['PLATFORM', 'BANK'], args: object(['loanId', 'reason'], { ...LOAN, reason: TEXT(1024) }) },
  };

  /** The rules before the regulator first configures: CBIRC/PBOC figures for online lending. */
  static readonly defaultConfig: LendingConfig = {
    caps: {
      NATURAL: { perPlatform: '20000000', total: '100000000' },
      LEGAL: { perPlatform: '100000000', total: '500000000' },
    },
    aprCapMode: 'LPR_X4',
    prohibitedPurposes: ['SECURITIES', 'FUTURES', 'STRUCTURED_PRODUCTS', 'OFF_EXCHANGE_MARGIN', 'REAL_ESTATE_DOWN_PAYMENT'],
    graceDays: 3,
    updatedAt: null,
    updatedBy: null,
  };

  /** The APR cap under LEGACY_24 (24 %, the 2015 private-lending rule). */
  static readonly LEGACY_CAP_BPS = 2400;
  /** Largest canonical JSON of a sealed JWE kept in state. */
  static readonly MAX_SEALED_CHARS = 65536;
  /** Bids per listing: bounds the work of the funding transaction that activates the loan. */
  static readonly MAX_BIDS = 200;
  static readonly DAY_MS = 86_400_000;

  // ---- Pure rules, exported for the service -----------------------------------------------------

  /** Customer id: one per (platform, person), so the same person registered twice on a platform is refused. */
  static customerId(platform: string, borrowerRef: string): string {
    return sha256Hex('zizhu:lending:customer:v1\n', canonicalJson({ borrowerRef, platform }));
  }

  /**
   * Normalised collateral identifier: whitespace removed (ASCII and ideographic), full-width ASCII
   * folded to ASCII, a–z upper-cased; nothing locale- or Unicode-version-dependent. A VEHICLE's must
   * then be a 17-character VIN (ISO 3779: no I, O or Q).
   */
  static normaliseIdentifier(type: CollateralType, identifier: string): string {
    const folded = identifier
      .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/[ \t\n\r\f\v\u00A0\u3000]/g, '')
      .replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
    if (folded.length === 0 || folded.length > 64) throw new ContractError('INVALID_IDENTIFIER', 'a collateral identifier has 1 to 64 characters once normalised');
    if (type === 'VEHICLE' && !/^[A-HJ-NPR-Z0-9]{17}$/.test(folded)) throw new ContractError('INVALID_IDENTIFIER', `${folded} is not a 17-character VIN`);
    return folded;
  }

  /** Collateral asset id: the same type and normalised identifier give the same id, whoever registers it. */
  static collateralId(type: CollateralType, identifier: string): string {
    return sha256Hex('zizhu:lending:collateral:v1\n', canonicalJson({ identifier: LendingContract.normaliseIdentifier(type, identifier), type }));
  }

  static claimId(loanId: string, lender: string): string {
    return sha256Hex('zizhu:lending:claim:v1\n', canonicalJson({ lender, loanId }));
  }

  /**
   * The repayment schedule, exact in integer fen. The monthly rate is APR/12, i.e. aprBps/120000; interest
   * accrues by month, not by day. Every rounding is half-up to the fen.
   * - EQUAL_INSTALLMENT (等额本息): instalment A = P·r·(1+r)^n / ((1+r)^n − 1), computed as one exact
   *   rational in bigint and rounded once; each month interest = round(balance·r), principal = A − interest;
   *   the last instalment repays the whole remaining balance (it absorbs the rounding), so principals sum
   *   to P exactly. At 0 % A = round(P/n).
   * - EQUAL_PRINCIPAL (等额本金): principal floor(P/n) each month, the last absorbs P mod n; interest on the balance.
   * - INTEREST_ONLY (先息后本): interest round(P·r) each month, all principal with the last.
   */
  static repaymentSchedule(principal: bigint, aprBps: number, termMonths: number, method: RepaymentMethod): ScheduledInstalment[] {
    if (principal <= 0n) throw new RangeError('principal must be positive');
    if (!Number.isSafeInteger(aprBps) || aprBps < 0) throw new RangeError('aprBps must be a non-negative integer');
    if (!Number.isSafeInteger(termMonths) || termMonths < 1 || termMonths > 600) throw new RangeError('termMonths must be an integer from 1 to 600');
    if (!REPAYMENT_METHODS.includes(method)) throw new RangeError(`unknown repayment method ${String(method)}`);
    const n = BigInt(termMonths);
    const bps = BigInt(aprBps);
    const YEAR = 120000n; // 12 months × 10,000 bps
    const halfUp = (num: bigint, den: bigint) => (2n * num + den) / (2n * den);
    let annuity = 0n;
    if (method === 'EQUAL_INSTALLMENT') {
      const grown = (YEAR + bps) ** n;
      const base = YEAR ** n;
      annuity = bps === 0n ? halfUp(principal, n) : halfUp(principal * bps * grown, YEAR * (grown - base));
    }
    const schedule: ScheduledInstalment[] = [];
    let balance = principal;
    for (let k = 1; k <= termMonths; k++) {
      const interest = halfUp(balance * bps, YEAR);
      let repaid: bigint;
      if (k === termMonths) repaid = balance;
      else if (method === 'EQUAL_INSTALLMENT') repaid = annuity - interest;
      else if (method === 'EQUAL_PRINCIPAL') repaid = principal / n;
      else repaid = 0n;
      if (repaid > balance) repaid = balance;
      balance -= repaid;
      schedule.push({ k, principal: repaid, interest, total: repaid + interest, balance });
    }
    return schedule;
  }

  /**
   * Splits `amount` over holdings pro rata to their weights, exactly: each share is rounded down, and the
   * fen left over (fewer than the number of holdings) go one each to the holdings with the largest
   * dropped fractions, ties to the larger weight, then the smaller id (largest-remainder method). So the
   * shares sum to `amount`, and no share exceeds the exact one rounded up: a claim is never paid more
   * principal than it has outstanding. Returns the shares in the order given.
   */
  static splitProRata(amount: bigint, holdings: readonly { id: string; weight: bigint }[]): bigint[] {
    const total = holdings.reduce((s, h) => s + h.weight, 0n);
    if (amount === 0n) return holdings.map(() => 0n);
    if (total <= 0n) throw new RangeError('nothing to split over');
    const shares = holdings.map((h) => (amount * h.weight) / total);
    let left = amount - shares.reduce((s, x) => s + x, 0n);
    const order = holdings
      .map((h, i) => ({ i, id: h.id, weight: h.weight, dropped: (amount * h.weight) % total }))
      .sort((a, b) => (a.dropped !== b.dropped ? (a.dropped > b.dropped ? -1 : 1) : a.weight !== b.weight ? (a.weight > b.weight ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const o of order) {
      if (left === 0n) break;
      shares[o.i] += 1n;
      left -= 1n;
    }
    return shares;
  }

  /**
   * Due date of instalment k of a loan activated at `activatedAt`: the same wall-clock time k calendar
   * months later in China Standard Time (UTC+8, no daylight saving), the day clamped to the month's
   * last (31 January + 1 month = 28 or 29 February). Integer calendar arithmetic, no Date.
   */
  static dueDate(activatedAt: number, k: number): number {
    const DAY = LendingContract.DAY_MS;
    const OFFSET = 8 * 3_600_000;
    const local = activatedAt + OFFSET;
    const days = Math.floor(local / DAY);
    const msOfDay = local - days * DAY;
    const { y, m, d } = LendingContract.civilFromDays(days);
    const months = m - 1 + k;
    const year = y + Math.floor(months / 12);
    const month = (months % 12) + 1;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    return LendingContract.daysFromCivil(year, month, Math.min(d, monthDays)) * DAY + msOfDay - OFFSET;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
  private static daysFromCivil(year: number, month: number, day: number): number {
    const y = month <= 2 ? year - 1 : year;
    const era = Math.floor(y / 400);
    const yoe = y - era * 400;
    const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  private static civilFromDays(days: number): { y: number; m: number; d: number } {
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
  }

  // ---- Regulator ---------------------------------------------------------------------------------

  async configure(ctx: ContractContext, args: { caps?: Partial<Record<PersonKind, BorrowingCaps>>; aprCapMode?: AprCapMode; prohibitedPurposes?: string[]; graceDays?: number }) {
    const config = await this.config(ctx);
    for (const kind of PERSON_KINDS) {
      const caps = args.caps?.[kind];
      if (!caps) continue;
      if (BigInt(caps.perPlatform) > BigInt(caps.total)) throw new ContractError('INVALID_CAPS', `${kind}: the per-platform cap exceeds the total cap`);
      config.caps[kind] = { perPlatform: caps.perPlatform, total: caps.total };
    }
    if (args.aprCapMode !== undefined) config.aprCapMode = args.aprCapMode;
    if (args.prohibitedPurposes !== undefined) config.prohibitedPurposes = [...args.prohibitedPurposes].sort();
    if (args.graceDays !== undefined) config.graceDays = args.graceDays;
    config.updatedAt = ctx.block.time;
    config.updatedBy = ctx.sender.org;
    ctx.state.put('cfg', config as never);
    ctx.emit('Configured', config as never);
    return config as never;
  }

  /**
   * Publishes the one-year LPR from `effectiveFrom` on. History is fixed: an entry cannot start in the
   * past, and one already in force cannot be replaced (a future one can, until it takes effect).
   */
  async setLpr(ctx: ContractContext, args: { effectiveFrom: number; bps: number }) {
    if (args.effectiveFrom < ctx.block.time) throw new ContractError('LPR_IN_PAST', `effectiveFrom ${args.effectiveFrom} is before the block time ${ctx.block.time}`);
    const key = `lpr/${String(args.effectiveFrom).padStart(15, '0')}`;
    const existing = await this.read<LprEntry>(ctx, key);
    if (existing && existing.effectiveFrom <= ctx.block.time) throw new ContractError('LPR_ALREADY_EFFECTIVE', `the LPR from ${args.effectiveFrom} is already in force`);
    const entry: LprEntry = { effectiveFrom: args.effectiveFrom, bps: args.bps, publishedAt: ctx.block.time, tx: ctx.tx.hash };
    ctx.state.put(key, entry as never);
    ctx.emit('LprPublished', { effectiveFrom: args.effectiveFrom, bps: args.bps, replaced: existing?.bps ?? null });
    return entry as never;
  }

  // ---- Custodian bank: platforms -----------------------------------------------------------------

  async registerPlatform(ctx: ContractContext, args: { org: string; registrationNo: string; name: string; filingStatus: FilingStatus; custodyAgreementRef: string }) {
    const existing = await this.read<LendingPlatform>(ctx, `plat/${args.org}`);
    if (existing) throw new ContractError('PLATFORM_EXISTS', `${args.org} is already a lending platform in the custody of ${existing.custodian}`);
    const platform: LendingPlatform = {
      org: args.org,
      custodian: ctx.sender.org,
      registrationNo: args.registrationNo,
      name: args.name,
      filingStatus: args.filingStatus,
      custodyAgreementRef: args.custodyAgreementRef,
      status: 'PENDING',
      registeredAt: ctx.block.time,
      approvedAt: null,
      suspendedAt: null,
      suspendReason: null,
    };
    ctx.state.put(`plat/${args.org}`, platform as never);
    ctx.emit('PlatformRegistered', { org: args.org, custodian: platform.custodian, registrationNo: args.registrationNo, filingStatus: args.filingStatus });
    return { org: args.org, status: platform.status };
  }

  async updatePlatform(ctx: ContractContext, args: { org: string; name?: string; filingStatus?: FilingStatus; custodyAgreementRef?: string }) {
    const platform = await this.custodied(ctx, args.org);
    if (args.name !== undefined) platform.name = args.name;
    if (args.filingStatus !== undefined) platform.filingStatus = args.filingStatus;
    if (args.custodyAgreementRef !== undefined) platform.custodyAgreementRef = args.custodyAgreementRef;
    ctx.state.put(`plat/${args.org}`, platform as never);
    ctx.emit('PlatformUpdated', { org: args.org, name: platform.name, filingStatus: platform.filingStatus, custodyAgreementRef: platform.custodyAgreementRef });
    return { org: args.org, status: platform.status };
  }

  async approvePlatform(ctx: ContractContext, args: { org: string }) {
    const platform = await this.custodied(ctx, args.org);
    if (platform.status !== 'PENDING') throw new ContractError('PLATFORM_ALREADY_APPROVED', `${args.org} is ${platform.status}`);
    if (platform.filingStatus !== 'FILED') throw new ContractError('PLATFORM_NOT_FILED', `${args.org} has filing status ${platform.filingStatus}`);
    platform.status = 'ACTIVE';
    platform.approvedAt = ctx.block.time;
    ctx.state.put(`plat/${args.org}`, platform as never);
    ctx.emit('PlatformApproved', { org: args.org, custodian: platform.custodian });
    return { org: args.org, status: platform.status };
  }

  async suspendPlatform(ctx: ContractContext, args: { org: string; reason: string }) {
    const platform = await this.custodied(ctx, args.org);
    if (platform.status === 'PENDING') throw new ContractError('PLATFORM_NOT_APPROVED', `${args.org} is not approved`);
    if (platform.status === 'SUSPENDED') throw new ContractError('PLATFORM_SUSPENDED', `${args.org} is already suspended`);
    platform.status = 'SUSPENDED';
    platform.suspendedAt = ctx.block.time;
    platform.suspendReason = args.reason;
    ctx.state.put(`plat/${args.org}`, platform as never);
    ctx.emit('PlatformSuspended', { org: args.org, reason: args.reason });
    return { org: args.org, status: platform.status };
  }

  async resumePlatform(ctx: ContractContext, args: { org: string }) {
    const platform = await this.custodied(ctx, args.org);
    if (platform.status !== 'SUSPENDED') throw new ContractError('PLATFORM_NOT_SUSPENDED', `${args.org} is ${platform.status}`);
    platform.status = 'ACTIVE';
    platform.suspendedAt = null;
    platform.suspendReason = null;
    ctx.state.put(`plat/${args.org}`, platform as never);
    ctx.emit('PlatformResumed', { org: args.org });
    return { org: args.org, status: platform.status };
  }

  // ---- Custodian bank: custody instructions ------------------------------------------------------

  /** Credits a customer's available balance. The same reference again with the same content is a no-op returning the first; with other content, INSTRUCTION_CONFLICT. */
  async deposit(ctx: ContractContext, args: { ref: string; customerId: string; amount: Fen }) {
    return this.instruction(ctx, 'DEPOSIT', args);
  }

  /** Debits a customer's available balance (allowed while the platform is suspended: customers can always take their money out). */
  async withdraw(ctx: ContractContext, args: { ref: string; customerId: string; amount: Fen }) {
    return this.instruction(ctx, 'WITHDRAWAL', args);
  }

  // ---- Platform: customers -----------------------------------------------------------------------

  async registerCustomer(ctx: ContractContext, args: { borrowerRef: string; personKind: PersonKind; roles: CustomerRole[]; sealed: SealedJwe }) {
    const platform = await this.ownPlatform(ctx);
    this.requireActive(platform);
    this.requireSealedSize(args.sealed);
    const id = LendingContract.customerId(platform.org, args.borrowerRef);
    if (await this.read<Customer>(ctx, `cust/${id}`)) throw new ContractError('CUSTOMER_EXISTS', `this person is already customer ${id} of ${platform.org}`);
    const person = await this.read<PersonExposure>(ctx, `debt/${args.borrowerRef}`);
    if (person && person.personKind !== args.personKind) throw new ContractError('PERSON_KIND_MISMATCH', `this pseudonym is registered as a ${person.personKind} person`);
    if (!person) ctx.state.put(`debt/${args.borrowerRef}`, { borrowerRef: args.borrowerRef, personKind: args.personKind, total: '0' } satisfies PersonExposure as never);
    const customer: Customer = {
      id,
      platform: platform.org,
      roles: LendingContract.sortedRoles(args.roles),
      personKind: args.personKind,
      borrowerRef: args.borrowerRef,
      sealed: args.sealed,
      registeredAt: ctx.block.time,
      updatedAt: ctx.block.time,
      tx: ctx.tx.hash,
    };
    ctx.state.put(`cust/${id}`, customer as never);
    const account: CustodyAccount = { id, platform: platform.org, bank: platform.custodian, available: '0', frozen: '0' };
    ctx.state.put(`acct/${id}`, account as never);
    const totals = await this.bankTotals(ctx, platform.custodian);
    totals.accounts += 1;
    ctx.state.put(`bank/${platform.custodian}`, totals as never);
    ctx.emit('CustomerRegistered', { id, platform: platform.org, bank: platform.custodian, roles: customer.roles, personKind: args.personKind });
    return { id, bank: platform.custodian };
  }

  async updateCustomer(ctx: ContractContext, args: { customerId: string; roles?: CustomerRole[]; sealed?: SealedJwe }) {
    const customer = await this.ownCustomer(ctx, args.customerId);
    if (args.roles !== undefined) customer.roles = LendingContract.sortedRoles(args.roles);
    if (args.sealed !== undefined) {
      this.requireSealedSize(args.sealed);
      customer.sealed = args.sealed;
    }
    customer.updatedAt = ctx.block.time;
    ctx.state.put(`cust/${customer.id}`, customer as never);
    ctx.emit('CustomerUpdated', { id: customer.id, platform: customer.platform, roles: customer.roles, resealed: args.sealed !== undefined });
    return { id: customer.id, roles: customer.roles };
  }

  // ---- Platform: collateral ----------------------------------------------------------------------

  /**
   * Digitises a collateral asset. The id derives from type and normalised identifier: registering an
   * asset that exists already (from any platform) changes nothing and returns it with `created: false`,
   * so a second platform learns the asset's status and can never make a second record to pledge.
   */
  async registerCollateral(ctx: ContractContext, args: { type: CollateralType; identifier: string; appraisedValue: Fen; documents: DocumentDigest[]; sealedOwner: SealedJwe }) {
    const platform = await this.ownPlatform(ctx);
    this.requireActive(platform);
    const identifier = LendingContract.normaliseIdentifier(args.type, args.identifier);
    const id = LendingContract.collateralId(args.type, identifier);
    const existing = await this.read<Collateral>(ctx, `col/${id}`);
    if (existing) return { id, created: false, status: existing.status };
    this.requireSealedSize(args.sealedOwner);
    const collateral: Collateral = {
      id,
      type: args.type,
      identifier,
      appraisedValue: args.appraisedValue,
      documents: args.documents.map((d) => ({ alg: d.alg, value: d.value })),
      sealedOwner: args.sealedOwner,
      registeredBy: platform.org,
      registeredAt: ctx.block.time,
      status: 'FREE',
      lien: null,
    };
    ctx.state.put(`col/${id}`, collateral as never);
    ctx.emit('CollateralRegistered', { id, type: args.type, identifier, appraisedValue: args.appraisedValue, registeredBy: platform.org });
    return { id, created: true, status: collateral.status };
  }

  // ---- Platform: listings and funding ------------------------------------------------------------

  /**
   * Lists a loan request. Checks, in this order: platform active; borrower is the platform's customer
   * with the BORROWER role; purpose not prohibited; APR ≤ the cap in force; the person's exposure
   * (outstanding principal plus open listings) within the per-platform and the total cap; no maturity
   * splitting; the collateral, if any, is FREE (then pledged to this listing).
   *
   * Maturity splitting: a person may not list on a platform while a listing or loan of theirs for the
   * same purpose is open there (OPEN, ACTIVE, OVERDUE or DEFAULTED), so that one long loan cannot be
   * cut into rolling short ones, each repaid by the next.
   */
  async createListing(
    ctx: ContractContext,
    args: { borrower: string; amount: Fen; aprBps: number; termMonths: number; method: RepaymentMethod; purpose: string; fundingDeadline: number; collateralId?: string; sealed?: SealedJwe },
  ) {
    const platform = await this.ownPlatform(ctx);
    this.requireActive(platform);
    const borrower = await this.ownCustomer(ctx, args.borrower);
    this.requireRole(borrower, 'BORROWER');
    if (args.sealed) this.requireSealedSize(args.sealed);
    if (args.fundingDeadline <= ctx.block.time) throw new ContractError('DEADLINE_IN_PAST', `fundingDeadline ${args.fundingDeadline} is not after the block time ${ctx.block.time}`);
    const config = await this.config(ctx);
    if (config.prohibitedPurposes.includes(args.purpose)) throw new ContractError('PURPOSE_PROHIBITED', `loans for ${args.purpose} are prohibited`);
    const aprCapBps = await this.aprCap(ctx, config);
    if (args.aprBps > aprCapBps) throw new ContractError('APR_CAP_EXCEEDED', `APR ${args.aprBps} bps exceeds the cap of ${aprCapBps} bps (${config.aprCapMode})`);

    const amount = BigInt(args.amount);
    const caps = config.caps[borrower.personKind];
    const person = (await this.read<PersonExposure>(ctx, `debt/${borrower.borrowerRef}`))!;
    const onPlatform = await this.read<PlatformExposure>(ctx, `debt/${borrower.borrowerRef}/${platform.org}`);
    const platformExposure = BigInt(onPlatform?.amount ?? '0') + amount;
    if (platformExposure > BigInt(caps.perPlatform)) {
      throw new ContractError('CAP_EXCEEDED', `a ${borrower.personKind} person may owe at most ${caps.perPlatform} fen on one platform; this listing would make ${platformExposure}`);
    }
    const totalExposure = BigInt(person.total) + amount;
    if (totalExposure > BigInt(caps.total)) {
      throw new ContractError('CAP_EXCEEDED', `a ${borrower.personKind} person may owe at most ${caps.total} fen across platforms; this listing would make ${totalExposure}`);
    }
    const openKey = `open/${borrower.borrowerRef}/${platform.org}/${args.purpose}`;
    const open = await this.read<OpenPurpose>(ctx, openKey);
    if (open) throw new ContractError('MATURITY_SPLITTING', `loan ${open.loanId} for ${args.purpose} is still open on ${platform.org}`);

    const id = ctx.tx.hash;
    if (args.collateralId !== undefined) await this.pledge(ctx, args.collateralId, id, platform.org);
    ctx.state.put(`debt/${borrower.borrowerRef}`, { ...person, total: String(totalExposure) } as never);
    ctx.state.put(`debt/${borrower.borrowerRef}/${platform.org}`, { platform: platform.org, amount: String(platformExposure) } satisfies PlatformExposure as never);
    ctx.state.put(openKey, { loanId: id } satisfies OpenPurpose as never);
    const loan: Loan = {
      id,
      platform: platform.org,
      bank: platform.custodian,
      borrower: borrower.id,
      borrowerRef: borrower.borrowerRef,
      personKind: borrower.personKind,
      amount: args.amount,
      aprBps: args.aprBps,
      aprCapBps,
      termMonths: args.termMonths,
      method: args.method,
      purpose: args.purpose,
      fundingDeadline: args.fundingDeadline,
      collateralId: args.collateralId ?? null,
      sealed: args.sealed ?? null,
      status: 'OPEN',
      funded: '0',
      bids: 0,
      listedAt: ctx.block.time,
      height: ctx.block.height,
      tx: ctx.tx.hash,
      activatedAt: null,
      maturesAt: null,
      outstanding: '0',
      nextInstalment: 0,
      overdueInstalments: 0,
      closedAt: null,
      defaultedAt: null,
      defaultReason: null,
    };
    ctx.state.put(`loan/${id}`, loan as never);
    // The full terms are in the loan record the same block writes; the event says what happened.
    ctx.emit('Listed', { loanId: id, platform: platform.org, borrower: borrower.id, amount: args.amount, aprBps: args.aprBps, aprCapBps, collateralId: loan.collateralId });
    return { loanId: id, status: loan.status, aprCapBps };
  }

  /**
   * A lender's bid, signed by the listing's platform for its own customer: the amount is frozen in the
   * lender's account. The bid that completes the amount activates the loan in the same transaction.
   */
  async bid(ctx: ContractContext, args: { loanId: string; lender: string; amount: Fen; sealed: SealedJwe }) {
    const platform = await this.ownPlatform(ctx);
    this.requireActive(platform);
    const loan = await this.loan(ctx, args.loanId);
    if (loan.platform !== platform.org) throw new ContractError('NOT_LISTING_PLATFORM', `loan ${loan.id} is listed on ${loan.platform}`);
    if (loan.status !== 'OPEN') throw new ContractError('LISTING_NOT_OPEN', `loan ${loan.id} is ${loan.status}`);
    if (ctx.block.time > loan.fundingDeadline) throw new ContractError('FUNDING_CLOSED', `funding of ${loan.id} closed at ${loan.fundingDeadline}`);
    const lender = await this.ownCustomer(ctx, args.lender);
    this.requireRole(lender, 'LENDER');
    if (lender.borrowerRef === loan.borrowerRef) throw new ContractError('SELF_FUNDING', 'a borrower cannot fund their own loan');
    this.requireSealedSize(args.sealed);
    const amount = BigInt(args.amount);
    const remaining = BigInt(loan.amount) - BigInt(loan.funded);
    if (amount > remaining) throw new ContractError('OVER_BID', `loan ${loan.id} needs ${remaining} fen more; the bid is ${amount}`);
    if (loan.bids >= LendingContract.MAX_BIDS) throw new ContractError('TOO_MANY_BIDS', `loan ${loan.id} has ${loan.bids} bids, the most a listing takes`);
    await this.move(ctx, { from: [lender.id, 'available'], to: [lender.id, 'frozen'], amount, kind: 'BID_FREEZE', loanId: loan.id });
    const bid: Bid = { id: ctx.tx.hash, loanId: loan.id, lender: lender.id, amount: args.amount, sealed: args.sealed, at: ctx.block.time };
    ctx.state.put(`bid/${loan.id}/${bid.id}`, bid as never);
    loan.funded = String(BigInt(loan.funded) + amount);
    loan.bids += 1;
    ctx.emit('BidPlaced', { loanId: loan.id, bidId: bid.id, lender: lender.id, amount: args.amount, funded: loan.funded });
    if (loan.funded === loan.amount) await this.activate(ctx, loan);
    ctx.state.put(`loan/${loan.id}`, loan as never);
    return { loanId: loan.id, bidId: bid.id, funded: loan.funded, status: loan.status };
  }

  /**
   * Cancels an OPEN listing: its platform any time, anyone once the funding deadline has passed. Frozen
   * bids go back to the lenders, the collateral is released, the person's exposure is given back.
   */
  async cancelListing(ctx: ContractContext, args: { loanId: string }) {
    const loan = await this.loan(ctx, args.loanId);
    if (loan.status !== 'OPEN') throw new ContractError('LISTING_NOT_OPEN', `loan ${loan.id} is ${loan.status}`);
    if (ctx.sender.org !== loan.platform && ctx.block.time <= loan.fundingDeadline) {
      throw new ContractError('FUNDING_OPEN', `only ${loan.platform} may cancel loan ${loan.id} before its funding deadline ${loan.fundingDeadline}`);
    }
    for (const { value: bid } of await this.all<Bid>(ctx, `bid/${loan.id}/`)) {
      await this.move(ctx, { from: [bid.lender, 'frozen'], to: [bid.lender, 'available'], amount: BigInt(bid.amount), kind: 'BID_UNFREEZE', loanId: loan.id });
    }
    await this.reduceExposure(ctx, loan, BigInt(loan.amount));
    await this.close(ctx, loan, 'CANCELLED');
    ctx.state.put(`loan/${loan.id}`, loan as never);
    ctx.emit('ListingCancelled', { loanId: loan.id, funded: loan.funded, by: ctx.sender.org });
    return { loanId: loan.id, status: loan.status, unfrozen: loan.funded };
  }

  // ---- Platform: claim transfer ------------------------------------------------------------------

  /** The holder's platform offers one whole claim to a lender of any platform at an agreed price. One open offer per claim. */
  async offerClaim(ctx: ContractContext, args: { loanId: string; claimId: string; buyer: string; price: Fen; sealed: SealedJwe }) {
    const { loan, claim } = await this.transferable(ctx, args.loanId, args.claimId);
    const seller = await this.ownCustomer(ctx, claim.holder);
    if (await this.read<ClaimOffer>(ctx, `offer/${loan.id}/${claim.id}`)) throw new ContractError('OFFER_EXISTS', `claim ${claim.id} already has an open offer`);
    if (args.buyer === seller.id) throw new ContractError('SAME_HOLDER', `${seller.id} already holds claim ${claim.id}`);
    const buyer = await this.customer(ctx, args.buyer);
    this.requireRole(buyer, 'LENDER');
    if (buyer.borrowerRef === loan.borrowerRef) throw new ContractError('SELF_FUNDING', 'a borrower cannot buy a claim on their own loan');
    this.requireSealedSize(args.sealed);
    const offer: ClaimOffer = {
      loanId: loan.id,
      claimId: claim.id,
      seller: seller.id,
      sellerPlatform: seller.platform,
      buyer: buyer.id,
      buyerPlatform: buyer.platform,
      price: args.price,
      sealed: args.sealed,
      offeredAt: ctx.block.time,
      tx: ctx.tx.hash,
    };
    ctx.state.put(`offer/${loan.id}/${claim.id}`, offer as never);
    ctx.emit('ClaimOffered', { loanId: loan.id, claimId: claim.id, seller: seller.id, buyer: buyer.id, buyerPlatform: buyer.platform, price: args.price });
    return { loanId: loan.id, claimId: claim.id, price: args.price };
  }

  /** The buyer's platform accepts: the price moves buyer → seller in custody and the claim changes holder. */
  async acceptClaimOffer(ctx: ContractContext, args: { loanId: string; claimId: string }) {
    const { loan, claim } = await this.transferable(ctx, args.loanId, args.claimId);
    const offer = await this.offer(ctx, loan.id, claim.id);
    const buyer = await this.ownCustomer(ctx, offer.buyer);
    // Buying a claim is funding: not through a suspended platform.
    this.requireActive(await this.ownPlatform(ctx));
    this.requireRole(buyer, 'LENDER');
    await this.move(ctx, { from: [buyer.id, 'available'], to: [offer.seller, 'available'], amount: BigInt(offer.price), kind: 'CLAIM_SALE', loanId: loan.id });
    claim.holder = buyer.id;
    claim.holderPlatform = buyer.platform;
    claim.acquiredAt = ctx.block.time;
    claim.transfers += 1;
    ctx.state.put(`claim/${loan.id}/${claim.id}`, claim as never);
    ctx.state.del(`offer/${loan.id}/${claim.id}`);
    ctx.emit('ClaimTransferred', { loanId: loan.id, claimId: claim.id, from: offer.seller, to: buyer.id, price: offer.price, outstanding: claim.outstanding });
    return { loanId: loan.id, claimId: claim.id, holder: buyer.id };
  }

  /** The seller's or the buyer's platform withdraws an open offer. */
  async withdrawClaimOffer(ctx: ContractContext, args: { loanId: string; claimId: string }) {
    const offer = await this.offer(ctx, args.loanId, args.claimId);
    if (ctx.sender.org !== offer.sellerPlatform && ctx.sender.org !== offer.buyerPlatform) {
      throw new ContractError('NOT_A_PARTY', `only ${offer.sellerPlatform} or ${offer.buyerPlatform} may withdraw this offer`);
    }
    ctx.state.del(`offer/${args.loanId}/${args.claimId}`);
    ctx.emit('ClaimOfferWithdrawn', { loanId: args.loanId, claimId: args.claimId, by: ctx.sender.org });
    return { loanId: args.loanId, claimId: args.claimId };
  }

  // ---- Repayment ---------------------------------------------------------------------------------

  /**
   * Repays instalment k (the next unpaid one; early, on time or late) from the borrower's account,
   * signed by the borrower's platform (also while suspended). Principal and interest are each split
   * over the current claim holders pro rata to the principal they have outstanding (splitProRata:
   * rounded down, leftover fen to the largest dropped fractions); the split is kept in the instalment.
   */
  async repay(ctx: ContractContext, args: { loanId: string; instalment: number }) {
    const loan = await this.loan(ctx, args.loanId);
    const borrower = await this.ownCustomer(ctx, loan.borrower);
    if (loan.status !== 'ACTIVE' && loan.status !== 'OVERDUE' && loan.status !== 'DEFAULTED') throw new ContractError('LOAN_NOT_ACTIVE', `loan ${loan.id} is ${loan.status}`);
    if (args.instalment !== loan.nextInstalment) throw new ContractError('INSTALMENT_OUT_OF_ORDER', `instalment ${loan.nextInstalment} of loan ${loan.id} is the next to repay`);
    const key = LendingContract.instalmentKey(loan.id, args.instalment);
    const instalment = (await this.read<Instalment>(ctx, key))!;
    const claims = (await this.all<ClaimToken>(ctx, `claim/${loan.id}/`)).map((e) => e.value);
    const holdings = claims.map((c) => ({ id: c.id, weight: BigInt(c.outstanding) }));
    const principalShares = LendingContract.splitProRata(BigInt(instalment.principal), holdings);
    const interestShares = LendingContract.splitProRata(BigInt(instalment.interest), holdings);
    instalment.shares = [];
    for (const [i, claim] of claims.entries()) {
      const principal = principalShares[i];
      const interest = interestShares[i];
      if (principal + interest > 0n) {
        await this.move(ctx, { from: [borrower.id, 'available'], to: [claim.holder, 'available'], amount: principal + interest, kind: 'REPAYMENT', loanId: loan.id });
      }
      claim.outstanding = String(BigInt(claim.outstanding) - principal);
      claim.principalReceived = String(BigInt(claim.principalReceived) + principal);
      claim.interestReceived = String(BigInt(claim.interestReceived) + interest);
      ctx.state.put(`claim/${loan.id}/${claim.id}`, claim as never);
      instalment.shares.push({ claimId: claim.id, holder: claim.holder, principal: String(principal), interest: String(interest) });
    }
    const wasOverdue = instalment.status === 'OVERDUE';
    instalment.paidLate = wasOverdue;
    instalment.status = 'PAID';
    instalment.paidAt = ctx.block.time;
    ctx.state.put(key, instalment as never);
    loan.outstanding = String(BigInt(loan.outstanding) - BigInt(instalment.principal));
    if (wasOverdue) loan.overdueInstalments -= 1;
    if (loan.status === 'OVERDUE' && loan.overdueInstalments === 0) loan.status = 'ACTIVE';
    await this.reduceExposure(ctx, loan, BigInt(instalment.principal));
    const last = args.instalment === loan.termMonths;
    loan.nextInstalment = last ? 0 : args.instalment + 1;
    if (last) await this.close(ctx, loan, 'REPAID');
    ctx.state.put(`loan/${loan.id}`, loan as never);
    ctx.emit('InstalmentRepaid', {
      loanId: loan.id,
      instalment: args.instalment,
      principal: instalment.principal,
      interest: instalment.interest,
      total: instalment.total,
      late: wasOverdue,
      shares: instalment.shares,
    });
    if (last) ctx.emit('LoanRepaid', { loanId: loan.id, collateralId: loan.collateralId });
    return { loanId: loan.id, instalment: args.instalment, status: loan.status, outstanding: loan.outstanding, shares: instalment.shares };
  }

  /** Anyone may mark an unpaid instalment OVERDUE once the block time is past its due date plus the grace days. */
  async markOverdue(ctx: ContractContext, args: { loanId: string; instalment: number }) {
    const loan = await this.loan(ctx, args.loanId);
    if (loan.status !== 'ACTIVE' && loan.status !== 'OVERDUE' && loan.status !== 'DEFAULTED') throw new ContractError('LOAN_NOT_ACTIVE', `loan ${loan.id} is ${loan.status}`);
    if (args.instalment > loan.termMonths) throw new ContractError('INSTALMENT_NOT_FOUND', `loan ${loan.id} has ${loan.termMonths} instalments`);
    const key = LendingContract.instalmentKey(loan.id, args.instalment);
    const instalment = (await this.read<Instalment>(ctx, key))!;
    if (instalment.status === 'PAID') throw new ContractError('INSTALMENT_PAID', `instalment ${args.instalment} of loan ${loan.id} is paid`);
    if (instalment.status === 'OVERDUE') throw new ContractError('ALREADY_OVERDUE', `instalment ${args.instalment} of loan ${loan.id} is already overdue`);
    const { graceDays } = await this.config(ctx);
    const overdueFrom = instalment.dueAt + graceDays * LendingContract.DAY_MS;
    if (ctx.block.time <= overdueFrom) throw new ContractError('NOT_YET_OVERDUE', `instalment ${args.instalment} of loan ${loan.id} is overdue only after ${overdueFrom}`);
    instalment.status = 'OVERDUE';
    instalment.overdueAt = ctx.block.time;
    ctx.state.put(key, instalment as never);
    loan.overdueInstalments += 1;
    if (loan.status === 'ACTIVE') loan.status = 'OVERDUE';
    ctx.state.put(`loan/${loan.id}`, loan as never);
    ctx.emit('InstalmentOverdue', { loanId: loan.id, instalment: args.instalment, dueAt: instalment.dueAt, total: instalment.total, platform: loan.platform });
    return { loanId: loan.id, instalment: args.instalment, status: loan.status };
  }

  /** The loan's platform or its custodian bank declares an OVERDUE loan in default: the collateral goes to ENFORCEMENT. */
  async declareDefault(ctx: ContractContext, args: { loanId: string; reason: string }) {
    const loan = await this.loan(ctx, args.loanId);
    if (ctx.sender.org !== loan.platform && ctx.sender.org !== loan.bank) throw new ContractError('NOT_A_PARTY', `only ${loan.platform} or ${loan.bank} may declare loan ${loan.id} in default`);
    if (loan.status !== 'OVERDUE') throw new ContractError('NOT_OVERDUE', `loan ${loan.id} is ${loan.status}`);
    loan.status = 'DEFAULTED';
    loan.defaultedAt = ctx.block.time;
    loan.defaultReason = args.reason;
    if (loan.collateralId) {
      const collateral = (await this.read<Collateral>(ctx, `col/${loan.collateralId}`))!;
      collateral.status = 'ENFORCEMENT';
      ctx.state.put(`col/${collateral.id}`, collateral as never);
    }
    ctx.state.put(`loan/${loan.id}`, loan as never);
    ctx.emit('LoanDefaulted', { loanId: loan.id, platform: loan.platform, outstanding: loan.outstanding, collateralId: loan.collateralId, reason: args.reason });
    return { loanId: loan.id, status: loan.status, collateralId: loan.collateralId };
  }

  // ---- Internals ---------------------------------------------------------------------------------

  private async read<T>(ctx: ContractContext, key: string): Promise<T | undefined> {
    return (await ctx.state.get(key)) as unknown as T | undefined;
  }

  /** Every entry under a prefix, in key order, page by page. */
  private async all<T>(ctx: ContractContext, prefix: string): Promise<{ key: string; value: T }[]> {
    const out: { key: string; value: T }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await ctx.state.range(prefix, { after, limit: 1000 });
      for (const e of page) out.push({ key: e.key, value: e.value as unknown as T });
      if (page.length < 1000) return out;
      after = page[page.length - 1].key;
    }
  }

  private async config(ctx: ContractContext): Promise<LendingConfig> {
    return (await this.read<LendingConfig>(ctx, 'cfg')) ?? (JSON.parse(JSON.stringify(LendingContract.defaultConfig)) as LendingConfig);
  }

  /** The APR cap in force at the block time: 4 × the latest LPR whose effectiveFrom has come, or 24 %. */
  private async aprCap(ctx: ContractContext, config: LendingConfig): Promise<number> {
    if (config.aprCapMode === 'LEGACY_24') return LendingContract.LEGACY_CAP_BPS;
    let inForce: LprEntry | undefined;
    for (const { value } of await this.all<LprEntry>(ctx, 'lpr/')) if (value.effectiveFrom <= ctx.block.time) inForce = value;
    if (!inForce) throw new ContractError('LPR_NOT_SET', 'no one-year LPR is in force: the regulator has to publish one');
    return 4 * inForce.bps;
  }

  private async platform(ctx: ContractContext, org: string): Promise<LendingPlatform> {
    const platform = await this.read<LendingPlatform>(ctx, `plat/${org}`);
    if (!platform) throw new ContractError('PLATFORM_NOT_FOUND', `${org} is not a registered lending platform`);
    return platform;
  }

  /** The sender's own platform record. */
  private ownPlatform(ctx: ContractContext): Promise<LendingPlatform> {
    return this.platform(ctx, ctx.sender.org);
  }

  /** A platform the sending bank is custodian of. */
  private async custodied(ctx: ContractContext, org: string): Promise<LendingPlatform> {
    const platform = await this.platform(ctx, org);
    if (platform.custodian !== ctx.sender.org) throw new ContractError('NOT_CUSTODIAN', `${org} is in the custody of ${platform.custodian}`);
    return platform;
  }

  private requireActive(platform: LendingPlatform): void {
    if (platform.status === 'PENDING') throw new ContractError('PLATFORM_NOT_APPROVED', `${platform.org} is not approved by its custodian yet`);
    if (platform.status === 'SUSPENDED') throw new ContractError('PLATFORM_SUSPENDED', `${platform.org} is suspended: ${platform.suspendReason}`);
  }

  private async customer(ctx: ContractContext, id: string): Promise<Customer> {
    const customer = await this.read<Customer>(ctx, `cust/${id}`);
    if (!customer) throw new ContractError('CUSTOMER_NOT_FOUND', `customer ${id} is not registered`);
    return customer;
  }

  /** A customer of the sending platform: platforms act only for their own customers. */
  private async ownCustomer(ctx: ContractContext, id: string): Promise<Customer> {
    const customer = await this.customer(ctx, id);
    if (customer.platform !== ctx.sender.org) throw new ContractError('NOT_YOUR_CUSTOMER', `customer ${id} is not a customer of ${ctx.sender.org}`);
    return customer;
  }

  private requireRole(customer: Customer, role: CustomerRole): void {
    if (!customer.roles.includes(role)) throw new ContractError('ROLE_MISSING', `customer ${customer.id} is not a ${role}`);
  }

  private requireSealedSize(sealed: SealedJwe): void {
    if (canonicalJson(sealed as never).length > LendingContract.MAX_SEALED_CHARS) {
      throw new ContractError('SEALED_TOO_LARGE', `a sealed field exceeds ${LendingContract.MAX_SEALED_CHARS} characters`);
    }
  }

  private static sortedRoles(roles: CustomerRole[]): CustomerRole[] {
    return CUSTOMER_ROLES.filter((r) => roles.includes(r));
  }

  private static instalmentKey(loanId: string, k: number): string {
    return `inst/${loanId}/${String(k).padStart(3, '0')}`;
  }

  private async bankTotals(ctx: ContractContext, bank: string): Promise<BankTotals> {
    return (
      (await this.read<BankTotals>(ctx, `bank/${bank}`)) ?? {
        bank,
        accounts: 0,
        available: '0',
        frozen: '0',
        deposited: '0',
        withdrawn: '0',
        transferredIn: '0',
        transferredOut: '0',
        instructions: 0,
      }
    );
  }

  private async instruction(ctx: ContractContext, kind: InstructionKind, args: { ref: string; customerId: string; amount: Fen }) {
    const key = `ins/${ctx.sender.org}/${args.ref}`;
    const previous = await this.read<CustodyInstruction>(ctx, key);
    if (previous) {
      if (previous.kind !== kind || previous.customerId !== args.customerId || previous.amount !== args.amount) {
        throw new ContractError('INSTRUCTION_CONFLICT', `instruction ${args.ref} was a ${previous.kind} of ${previous.amount} fen for ${previous.customerId}`);
      }
      return { ref: args.ref, applied: false, tx: previous.tx };
    }
    const customer = await this.customer(ctx, args.customerId);
    const account = (await this.read<CustodyAccount>(ctx, `acct/${customer.id}`))!;
    if (account.bank !== ctx.sender.org) throw new ContractError('NOT_CUSTODIAN', `customer ${customer.id} is held at ${account.bank}`);
    const amount = BigInt(args.amount);
    if (kind === 'DEPOSIT') await this.move(ctx, { from: null, to: [customer.id, 'available'], amount, kind, loanId: null, ref: args.ref });
    else await this.move(ctx, { from: [customer.id, 'available'], to: null, amount, kind, loanId: null, ref: args.ref });
    const record: CustodyInstruction = { ref: args.ref, bank: ctx.sender.org, kind, customerId: customer.id, amount: args.amount, at: ctx.block.time, tx: ctx.tx.hash };
    ctx.state.put(key, record as never);
    const totals = await this.bankTotals(ctx, ctx.sender.org);
    totals.instructions += 1;
    ctx.state.put(`bank/${ctx.sender.org}`, totals as never);
    return { ref: args.ref, applied: true, tx: ctx.tx.hash };
  }

  /**
   * The one way money moves: between buckets of custody accounts (or in from / out to the bank for
   * deposits and withdrawals), keeping the banks' totals, with a FundsMoved event per movement so
   * that a loan's whole fund flow can be followed.
   */
  private async move(
    ctx: ContractContext,
    m: { from: [string, Bucket] | null; to: [string, Bucket] | null; amount: bigint; kind: MovementKind; loanId: string | null; ref?: string },
  ): Promise<void> {
    let fromBank: string | null = null;
    let toBank: string | null = null;
    if (m.from) fromBank = await this.adjust(ctx, m.from[0], m.from[1], -m.amount);
    if (m.to) toBank = await this.adjust(ctx, m.to[0], m.to[1], m.amount);
    if (fromBank === null || toBank === null || fromBank !== toBank) {
      if (fromBank) await this.addToTotals(ctx, fromBank, toBank ? 'transferredOut' : 'withdrawn', m.amount);
      if (toBank) await this.addToTotals(ctx, toBank, fromBank ? 'transferredIn' : 'deposited', m.amount);
    }
    ctx.emit('FundsMoved', {
      kind: m.kind,
      from: m.from ? m.from[0] : null,
      to: m.to ? m.to[0] : null,
      amount: String(m.amount),
      fromBank,
      toBank,
      loanId: m.loanId,
      ref: m.ref ?? null,
    });
  }

  /** Changes one bucket of an account and its bank's total of that bucket; returns the bank. */
  private async adjust(ctx: ContractContext, accountId: string, bucket: Bucket, delta: bigint): Promise<string> {
    const account = await this.read<CustodyAccount>(ctx, `acct/${accountId}`);
    if (!account) throw new ContractError('CUSTOMER_NOT_FOUND', `customer ${accountId} has no custody account`);
    const balance = BigInt(account[bucket]) + delta;
    if (balance < 0n) throw new ContractError('INSUFFICIENT_FUNDS', `account ${accountId} has ${account[bucket]} fen ${bucket}; ${-delta} needed`);
    account[bucket] = String(balance);
    ctx.state.put(`acct/${accountId}`, account as never);
    await this.addToTotals(ctx, account.bank, bucket, delta);
    return account.bank;
  }

  private async addToTotals(ctx: ContractContext, bank: string, field: 'available' | 'frozen' | 'deposited' | 'withdrawn' | 'transferredIn' | 'transferredOut', delta: bigint) {
    const totals = await this.bankTotals(ctx, bank);
    totals[field] = String(BigInt(totals[field]) + delta);
    ctx.state.put(`bank/${bank}`, totals as never);
  }

  private async loan(ctx: ContractContext, id: string): Promise<Loan> {
    const loan = await this.read<Loan>(ctx, `loan/${id}`);
    if (!loan) throw new ContractError('LOAN_NOT_FOUND', `loan ${id} does not exist`);
    return loan;
  }

  private async pledge(ctx: ContractContext, collateralId: string, loanId: string, platform: string): Promise<void> {
    const collateral = await this.read<Collateral>(ctx, `col/${collateralId}`);
    if (!collateral) throw new ContractError('COLLATERAL_NOT_FOUND', `collateral ${collateralId} is not registered`);
    if (collateral.status === 'PLEDGED') throw new ContractError('DOUBLE_PLEDGE', `collateral ${collateralId} is already pledged to loan ${collateral.lien!.loanId} on ${collateral.lien!.platform}`);
    if (collateral.status === 'ENFORCEMENT') throw new ContractError('COLLATERAL_IN_ENFORCEMENT', `collateral ${collateralId} is under enforcement`);
    collateral.status = 'PLEDGED';
    collateral.lien = { loanId, platform, since: ctx.block.time };
    ctx.state.put(`col/${collateralId}`, collateral as never);
    ctx.emit('CollateralPledged', { collateralId, loanId, platform });
  }

  /** Gives back exposure (cancelled listings, repaid principal) on the person's platform and total counters. */
  private async reduceExposure(ctx: ContractContext, loan: Loan, amount: bigint): Promise<void> {
    if (amount === 0n) return;
    const person = (await this.read<PersonExposure>(ctx, `debt/${loan.borrowerRef}`))!;
    ctx.state.put(`debt/${loan.borrowerRef}`, { ...person, total: String(BigInt(person.total) - amount) } as never);
    const key = `debt/${loan.borrowerRef}/${loan.platform}`;
    const onPlatform = (await this.read<PlatformExposure>(ctx, key))!;
    const left = BigInt(onPlatform.amount) - amount;
    if (left === 0n) ctx.state.del(key);
    else ctx.state.put(key, { platform: loan.platform, amount: String(left) } satisfies PlatformExposure as never);
  }

  /** Ends a listing or loan (CANCELLED, REPAID): frees its purpose for the borrower, drops open claim offers, releases its collateral. */
  private async close(ctx: ContractContext, loan: Loan, status: 'CANCELLED' | 'REPAID'): Promise<void> {
    loan.status = status;
    loan.closedAt = ctx.block.time;
    ctx.state.del(`open/${loan.borrowerRef}/${loan.platform}/${loan.purpose}`);
    for (const { key } of await this.all<ClaimOffer>(ctx, `offer/${loan.id}/`)) ctx.state.del(key);
    if (loan.collateralId) {
      const collateral = (await this.read<Collateral>(ctx, `col/${loan.collateralId}`))!;
      collateral.status = 'FREE';
      collateral.lien = null;
      ctx.state.put(`col/${collateral.id}`, collateral as never);
      ctx.emit('CollateralReleased', { collateralId: collateral.id, loanId: loan.id });
    }
  }

  /**
   * Full funding: each lender's frozen bids go to the borrower's available balance, each lender gets one
   * claim token for the principal they lent, and the repayment schedule is fixed from the block time.
   */
  private async activate(ctx: ContractContext, loan: Loan): Promise<void> {
    const lent = new Map<string, bigint>();
    for (const { value: bid } of await this.all<Bid>(ctx, `bid/${loan.id}/`)) lent.set(bid.lender, (lent.get(bid.lender) ?? 0n) + BigInt(bid.amount));
    const claims: { claimId: string; holder: string; face: Fen }[] = [];
    for (const [lender, amount] of lent) {
      await this.move(ctx, { from: [lender, 'frozen'], to: [loan.borrower, 'available'], amount, kind: 'DISBURSEMENT', loanId: loan.id });
      const lenderCustomer = (await this.read<Customer>(ctx, `cust/${lender}`))!;
      const claim: ClaimToken = {
        id: LendingContract.claimId(loan.id, lender),
        loanId: loan.id,
        holder: lender,
        holderPlatform: lenderCustomer.platform,
        face: String(amount),
        outstanding: String(amount),
        principalReceived: '0',
        interestReceived: '0',
        acquiredAt: ctx.block.time,
        transfers: 0,
      };
      ctx.state.put(`claim/${loan.id}/${claim.id}`, claim as never);
      claims.push({ claimId: claim.id, holder: lender, face: claim.face });
    }
    const schedule = LendingContract.repaymentSchedule(BigInt(loan.amount), loan.aprBps, loan.termMonths, loan.method);
    for (const s of schedule) {
      const instalment: Instalment = {
        k: s.k,
        dueAt: LendingContract.dueDate(ctx.block.time, s.k),
        principal: String(s.principal),
        interest: String(s.interest),
        total: String(s.total),
        status: 'DUE',
        overdueAt: null,
        paidAt: null,
        paidLate: false,
        shares: [],
      };
      ctx.state.put(LendingContract.instalmentKey(loan.id, s.k), instalment as never);
    }
    loan.status = 'ACTIVE';
    loan.activatedAt = ctx.block.time;
    loan.maturesAt = LendingContract.dueDate(ctx.block.time, loan.termMonths);
    loan.outstanding = loan.amount;
    loan.nextInstalment = 1;
    ctx.emit('LoanActivated', { loanId: loan.id, borrower: loan.borrower, amount: loan.amount, activatedAt: ctx.block.time, maturesAt: loan.maturesAt, claims });
  }

  /** A claim that may change hands: its loan ACTIVE (no instalment overdue) and not yet at maturity. */
  private async transferable(ctx: ContractContext, loanId: string, claimId: string): Promise<{ loan: Loan; claim: ClaimToken }> {
    const loan = await this.loan(ctx, loanId);
    const claim = await this.read<ClaimToken>(ctx, `claim/${loanId}/${claimId}`);
    if (!claim) throw new ContractError('CLAIM_NOT_FOUND', `loan ${loanId} has no claim ${claimId}`);
    if (loan.status !== 'ACTIVE') throw new ContractError('LOAN_NOT_ACTIVE', `loan ${loan.id} is ${loan.status}`);
    if (ctx.block.time >= loan.maturesAt!) throw new ContractError('LOAN_MATURED', `loan ${loan.id} matured at ${loan.maturesAt}`);
    return { loan, claim };
  }

  private async offer(ctx: ContractContext, loanId: string, claimId: string): Promise<ClaimOffer> {
    const offer = await this.read<ClaimOffer>(ctx, `offer/${loanId}/${claimId}`);
    if (!offer) throw new ContractError('OFFER_NOT_FOUND', `claim ${claimId} of loan ${loanId} has no open offer`);
    return offer;
  }
}

/** The repayment schedule (see LendingContract.repaymentSchedule); the logic lives in the class so that the contract's code hash covers it. */
export function repaymentSchedule(principal: bigint, aprBps: number, termMonths: number, method: RepaymentMethod): ScheduledInstalment[] {
  return LendingContract.repaymentSchedule(principal, aprBps, termMonths, method);
}

/** Exact pro-rata split (see LendingContract.splitProRata). */
export function splitProRata(amount: bigint, holdings: readonly { id: string; weight: bigint }[]): bigint[] {
  return LendingContract.splitProRata(amount, holdings);
}
