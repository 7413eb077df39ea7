import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { SCHEMA_FILE } from '@zizhu/node';
import { signTransaction } from '@zizhu/chain';
import type { Keystore } from '@zizhu/crypto';
import { LendingOverdueJob } from '@zizhu/lending';
import { LendingClient, YUAN, residentId, vin } from '../lending/lending-support.js';
import { startTestNode, subscribe, type Credentials, type GraphQLResponse, type TestNode } from '../../support/node.js';

/**
 * Roles × every operation. The operation list comes from the running node's schema: an operation
 * added later without a row here fails the test. A denied call must answer UNAUTHENTICATED (no
 * credentials) or FORBIDDEN, and no data for the field; an allowed one must answer without error.
 * bank-a's roles, the regulator's admin (otherAdmin), and lending's terminal layer: platform-a's
 * `borrower` and `lender` users, each linked to its customer.
 */

const WHO = ['anonymous', 'viewer', 'auditor', 'operator', 'operatorKey', 'admin', 'otherAdmin', 'borrower', 'lender'] as const;
type Who = (typeof WHO)[number];
type OperationType = 'query' | 'mutation' | 'subscription';

interface Call {
  query: string;
  variables?: Record<string, unknown>;
}

interface Row {
  type: OperationType;
  /** Who may call it; everyone else is refused. */
  allowed: readonly Who[];
  /** Builds the call (fresh targets where a call consumes one). */
  call: (who: Who) => Promise<Call> | Call;
}

const EVERYONE = WHO;
const SIGNED_IN: Who[] = ['viewer', 'auditor', 'operator', 'operatorKey', 'admin', 'otherAdmin'];
const READERS: Who[] = ['auditor', 'operator', 'operatorKey', 'admin', 'otherAdmin'];
const SUBMITTERS: Who[] = ['operator', 'operatorKey', 'admin', 'otherAdmin'];
const AUDITORS: Who[] = ['auditor', 'admin', 'otherAdmin'];
const ADMINS: Who[] = ['admin', 'otherAdmin'];
/** Scoped to the target's organisation (bank-a): the regulator's admin is refused. */
const BANK_ADMIN: Who[] = ['admin'];
/** bank-a's submitters: an issuer (BANK) of evidence, and the issuer of the records the rows act on; the regulator is not. */
const BANK_SUBMITTERS: Who[] = ['operator', 'operatorKey', 'admin'];
/** Lending: the regulator's operations (its admin here). */
const REGULATOR: Who[] = ['otherAdmin'];
/** Lending: a platform's own operations; bank-a and the regulator are refused (test/e2e/lending covers the platforms). */
const PLATFORMS_ONLY: Who[] = [];
/** Lending's terminal layer. */
const TERMINAL: Who[] = ['borrower', 'lender'];
const DAY = 86_400_000;

describe('access matrix: roles × every GraphQL operation', () => {
  let t: TestNode;
  let keystore: Keystore;
  const creds = {} as Record<Who, Credentials>;
  let adminToken: string;
  let txHash: string;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}-${randomBytes(3).toString('hex')}`;
  const digest = () => randomBytes(32).toString('hex');

  async function newBankUser(): Promise<string> {
    const r = await t.gql<{ createUser: { id: string } }>('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username: unique('target'), password: 'target-password', roles: ['VIEWER'] } }, { token: adminToken });
    return r.body.data!.createUser.id;
  }

  async function newBankApiKey(): Promise<string> {
    const r = await t.gql<{ issueApiKey: { apiKey: { id: string } } }>('mutation($i: IssueApiKeyInput!) { issueApiKey(input: $i) { apiKey { id } } }', { i: { name: unique('target'), roles: ['VIEWER'] } }, { token: adminToken });
    return r.body.data!.issueApiKey.apiKey.id;
  }

  const ANCHOR = 'mutation($i: AnchorEvidenceInput!) { anchorEvidence(input: $i) { id } }';
  /** A fresh E_CONTRACT anchored by bank-a's admin for platform-a. */
  async function newEvidence(): Promise<string> {
    const r = await t.gql<{ anchorEvidence: { id: string } }>(ANCHOR, { i: { digest: { value: digest() }, type: 'E_CONTRACT', holder: 'platform-a' } }, { token: adminToken });
    return r.body.data!.anchorEvidence.id;
  }
  /** A fresh envelope over it, sent to bank-a's admin alone. */
  async function newEnvelope(): Promise<string> {
    const r = await t.gql<{ createSigningEnvelope: { id: string } }>(
      'mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { id } }',
      { i: { evidenceId: await newEvidence(), expiresAt: Date.now() + 3_600_000, recipients: [{ organization: 'bank-a', username: 'admin', routingOrder: 1 }] } },
      { token: adminToken },
    );
    return r.body.data!.createSigningEnvelope.id;
  }
  let evidenceId: string;
  let envelopeId: string;
  /** How far the node's clock is ahead: 40 days for a moment, while the overdue job marks the set-up's first loans. */
  let shift = 0;
  const lending = {} as {
    client: LendingClient;
    customer: string;
    collateral: string;
    openListing: string;
    borrowerLoan: string;
    lenderClaim: string;
    otherLender: string;
    offeredClaim: { loanId: string; claimId: string };
    overdueLoans: string[];
  };

  /**
   * Lending as the rows need it: bank-a custodian of platform-a and platform-b; three loans marked
   * overdue by the overdue job on a clock 40 days ahead (for declareLoanDefault; the lending
   * channel's block time stays there); then a loan of the terminal borrower funded by the terminal
   * lender, a claim offered to that lender, an open listing, a collateral, a custody account; and
   * the terminal users, linked.
   */
  async function setUpLending(): Promise<void> {
    const c = new LendingClient(t);
    lending.client = c;
    await c.loginAdmins(['bank-a', 'platform-a']);
    await c.onboard('bank-a', 'platform-a');
    await c.ok('bank-a', 'mutation($i: RegisterLendingPlatformInput!) { registerLendingPlatform(input: $i) { status } }', {
      i: { org: 'platform-b', registrationNo: '91110000PLATFORMB', name: 'Platform B', filingStatus: 'FILED', custodyAgreementRef: 'CUST-platform-b' },
    });
    await c.ok('bank-a', 'mutation { approveLendingPlatform(org: "platform-b") { status } }');
    const funder = await c.customer('platform-a', ['LENDER']);
    await c.deposit('bank-a', funder, 1_000_000n * YUAN);
    const fund = async (borrower: string, amount: bigint, lender = funder) => {
      const listed = await c.list('platform-a', borrower, amount, { fundingDeadline: Date.now() + 60 * DAY });
      expect(listed.body.errors).toBeUndefined();
      await c.bid('platform-a', listed.body.data!.createLoanListing.id, lender, amount);
      return listed.body.data!.createLoanListing.id;
    };
    lending.overdueLoans = [];
    for (let i = 0; i < 3; i++) lending.overdueLoans.push(await fund(await c.customer('platform-a', ['BORROWER']), 100n * YUAN));
    shift = 40 * DAY;
    expect(await t.node.app.get(LendingOverdueJob, { strict: false }).handle()).toMatchObject({ marked: 3 });
    shift = 0;

    lending.customer = await c.customer('platform-a', ['LENDER']);
    await c.deposit('bank-a', lending.customer, 1_000n * YUAN);
    const borrower = await c.customer('platform-a', ['BORROWER']);
    const lender = await c.customer('platform-a', ['LENDER']);
    lending.otherLender = funder;
    await c.deposit('bank-a', lender, 10_000n * YUAN);
    lending.borrowerLoan = await fund(borrower, 1_000n * YUAN, lender);
    const claims = async (loanId: string) => (await c.ok<{ loan: { claims: { id: string }[] } }>('bank-a', 'query($id: String!) { loan(loanId: $id) { claims { id } } }', { id: loanId })).loan.claims;
    lending.lenderClaim = (await claims(lending.borrowerLoan))[0].id;
    const otherLoan = await fund(await c.customer('platform-a', ['BORROWER']), 1_000n * YUAN);
    lending.offeredClaim = { loanId: otherLoan, claimId: (await claims(otherLoan))[0].id };
    await c.ok('platform-a', 'mutation($i: OfferClaimInput!) { offerClaim(input: $i) { price } }', { i: { ...lending.offeredClaim, buyerId: lender, price: String(1_000n * YUAN) } });
    lending.openListing = (await c.list('platform-a', await c.customer('platform-a', ['BORROWER']), 5_000n * YUAN, { fundingDeadline: Date.now() + 60 * DAY })).body.data!.createLoanListing.id;
    lending.collateral = (await c.ok<{ registerCollateral: { collateral: { id: string } } }>('platform-a', 'mutation($i: RegisterCollateralInput!) { registerCollateral(input: $i) { collateral { id } } }', {
      i: { type: 'VEHICLE', identifier: vin(), appraisedValue: String(100_000n * YUAN), ownerName: 'Owner', ownerNationalId: residentId() },
    })).registerCollateral.collateral.id;
    for (const [who, role, customerId] of [
      ['borrower', 'BORROWER', borrower],
      ['lender', 'LENDER', lender],
    ] as const) {
      await c.ok('platform-a', 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username: `matrix-${who}`, password: `${who}-terminal-password`, roles: [role] } });
      await c.ok('platform-a', 'mutation($i: LinkTerminalUserInput!) { linkLendingTerminalUser(input: $i) { customerId } }', { i: { username: `matrix-${who}`, customerId } });
      creds[who] = { token: await t.login('platform-a', `matrix-${who}`, `${who}-terminal-password`) };
    }
  }
  /** As bank-a's admin, ignoring the answer: puts platform-b in the state a suspend or resume row needs. */
  const setPlatformB = (mutation: 'suspendLendingPlatform(org: "platform-b", reason: "matrix")' | 'resumeLendingPlatform(org: "platform-b")') =>
    t.gql(`mutation { ${mutation} { status } }`, {}, { token: adminToken });
  const ID = () => randomBytes(32).toString('hex');
  const CREATE_WEBHOOK = 'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }';
  /** A webhook endpoint input subscribed to an event no module emits (no deliveries to port 9). */
  const webhookInput = () => ({ url: `http://127.0.0.1:9/${unique('hook')}`, events: ['matrix.never'] });
  /** A fresh webhook endpoint of bank-a. */
  async function newBankWebhook(): Promise<string> {
    const r = await t.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(CREATE_WEBHOOK, { i: webhookInput() }, { token: adminToken });
    return r.body.data!.createWebhookEndpoint.endpoint.id;
  }
  /** One webhook endpoint of bank-a for the rows that leave it in place (an organisation has at most 16). */
  let bankWebhook: string | undefined;
  const sharedBankWebhook = async () => (bankWebhook ??= await newBankWebhook());

  const ROWS: Record<string, Row> = {
    // Public
    nodeInfo: { type: 'query', allowed: EVERYONE, call: () => ({ query: '{ nodeInfo { consortiumId verifierKey } }' }) },
    login: {
      type: 'mutation',
      allowed: EVERYONE,
      call: () => ({ query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', variables: { i: { organization: 'bank-a', username: 'admin', password: t.adminPassword('bank-a') } } }),
    },
    refreshToken: {
      type: 'mutation',
      allowed: EVERYONE,
      call: async () => {
        const r = await t.gql<{ login: { refreshToken: string } }>('mutation($i: LoginInput!) { login(input: $i) { refreshToken } }', { i: { organization: 'bank-a', username: 'admin', password: t.adminPassword('bank-a') } });
        return { query: 'mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }', variables: { r: r.body.data!.login.refreshToken } };
      },
    },
    // Any principal
    me: { type: 'query', allowed: [...SIGNED_IN, ...TERMINAL], call: () => ({ query: '{ me { id kind } }' }) },
    organizations: { type: 'query', allowed: SIGNED_IN, call: () => ({ query: '{ organizations { id } }' }) },
    // Ledger readers
    channels: { type: 'query', allowed: READERS, call: () => ({ query: '{ channels { name height } }' }) },
    block: { type: 'query', allowed: READERS, call: () => ({ query: '{ block(channel: "notary", height: 0) { hash } }' }) },
    blocks: { type: 'query', allowed: READERS, call: () => ({ query: '{ blocks(channel: "notary", first: 2) { edges { node { height } } } }' }) },
    transaction: { type: 'query', allowed: READERS, call: () => ({ query: 'query($h: String!) { transaction(hash: $h) { hash } }', variables: { h: txHash } }) },
    checkpoint: { type: 'query', allowed: READERS, call: () => ({ query: '{ checkpoint(channel: "notary") }' }) },
    inclusionProof: { type: 'query', allowed: READERS, call: () => ({ query: 'query($h: String!) { inclusionProof(channel: "notary", txHash: $h) { leafIndex } }', variables: { h: txHash } }) },
    consistencyProof: { type: 'query', allowed: READERS, call: () => ({ query: '{ consistencyProof(channel: "notary", fromSize: 1) { proof } }' }) },
    blockCommitted: { type: 'subscription', allowed: READERS, call: () => ({ query: 'subscription { blockCommitted(channel: "notary") { height } }' }) },
    // Submitters
    recordDocument: {
      type: 'mutation',
      allowed: SUBMITTERS,
      call: () => ({ query: 'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { status } }', variables: { i: { id: unique('doc'), digest: digest() } } }),
    },
    submitTransaction: {
      type: 'mutation',
      // Signed with bank-a's key: the regulator's admin may not submit another organisation's transactions.
      allowed: ['operator', 'operatorKey', 'admin'],
      call: () => ({
        query: 'mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { status } }',
        variables: { s: signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: unique('signed'), digest: digest() }, ts: Date.now() }, keystore.signer('bank-a/admin')) },
      }),
    },
    // The evidence module: public verification; parties and the regulator read; bank-a issues; signers sign
    verifyEvidence: { type: 'query', allowed: EVERYONE, call: () => ({ query: 'query($d: EvidenceDigestInput!) { verifyEvidence(digest: $d) { found } }', variables: { d: { value: digest() } } }) },
    evidenceRecord: { type: 'query', allowed: READERS, call: () => ({ query: 'query($id: String!) { evidenceRecord(id: $id) { id } }', variables: { id: evidenceId } }) },
    evidenceRecords: { type: 'query', allowed: READERS, call: () => ({ query: '{ evidenceRecords(first: 5) { edges { node { id } } } }' }) },
    signingEnvelope: { type: 'query', allowed: READERS, call: () => ({ query: 'query($e: String!) { signingEnvelope(envelopeId: $e) { status } }', variables: { e: envelopeId } }) },
    evidenceEvents: { type: 'subscription', allowed: READERS, call: () => ({ query: `subscription { evidenceEvents(id: "${evidenceId}") { type } }` }) },
    anchorEvidence: { type: 'mutation', allowed: BANK_SUBMITTERS, call: () => ({ query: ANCHOR, variables: { i: { digest: { value: digest() }, type: 'RECEIPT', holder: 'platform-a' } } }) },
    anchorEvidenceBatch: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: () => ({
        query: 'mutation($i: AnchorEvidenceBatchInput!) { anchorEvidenceBatch(input: $i) { id } }',
        variables: { i: { items: [{ digest: { value: digest() }, type: 'BILL', holder: 'platform-a' }, { digest: { value: digest() }, type: 'BILL', holder: 'platform-b' }] } },
      }),
    },
    transferEvidenceHolding: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: async () => ({ query: 'mutation($id: String!) { transferEvidenceHolding(id: $id, to: "platform-b") { holder } }', variables: { id: await newEvidence() } }),
    },
    revokeEvidence: { type: 'mutation', allowed: BANK_SUBMITTERS, call: async () => ({ query: 'mutation($id: String!) { revokeEvidence(id: $id, reason: "issued in error") { status } }', variables: { id: await newEvidence() } }) },
    createSigningEnvelope: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: async () => ({
        query: 'mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { status } }',
        variables: { i: { evidenceId: await newEvidence(), expiresAt: Date.now() + 3_600_000, recipients: [{ organization: 'bank-a', username: 'admin', routingOrder: 1 }] } },
      }),
    },
    // Only the recipient (bank-a's admin) signs or declines; only the sender's organisation voids.
    signEnvelope: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($e: String!) { signEnvelope(envelopeId: $e) { status } }', variables: { e: await newEnvelope() } }) },
    declineEnvelope: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($e: String!) { declineEnvelope(envelopeId: $e, reason: "no") { status } }', variables: { e: await newEnvelope() } }) },
    voidEnvelope: { type: 'mutation', allowed: BANK_SUBMITTERS, call: async () => ({ query: 'mutation($e: String!) { voidEnvelope(envelopeId: $e, reason: "replaced") { status } }', variables: { e: await newEnvelope() } }) },
    // Lending, operations layer: every member's staff read; the regulator configures and supervises; bank-a is the custodian
    lendingConfig: { type: 'query', allowed: READERS, call: () => ({ query: '{ lendingConfig { aprCapBps } }' }) },
    lendingPlatforms: { type: 'query', allowed: READERS, call: () => ({ query: '{ lendingPlatforms { org } }' }) },
    lendingPlatform: { type: 'query', allowed: READERS, call: () => ({ query: '{ lendingPlatform(org: "platform-a") { status } }' }) },
    loans: { type: 'query', allowed: READERS, call: () => ({ query: '{ loans(first: 2) { edges { node { id } } } }' }) },
    loan: { type: 'query', allowed: READERS, call: () => ({ query: 'query($id: String!) { loan(loanId: $id) { status } }', variables: { id: lending.borrowerLoan } }) },
    collaterals: { type: 'query', allowed: READERS, call: () => ({ query: '{ collaterals(first: 2) { edges { node { id } } } }' }) },
    collateral: { type: 'query', allowed: READERS, call: () => ({ query: 'query($id: String!) { collateral(id: $id) { status } }', variables: { id: lending.collateral } }) },
    lendingCustomers: { type: 'query', allowed: READERS, call: () => ({ query: '{ lendingCustomers(first: 2) { edges { node { id } } } }' }) },
    lendingCustomer: { type: 'query', allowed: READERS, call: () => ({ query: 'query($id: String!) { lendingCustomer(id: $id) { id } }', variables: { id: lending.customer } }) },
    custodyTotals: { type: 'query', allowed: READERS, call: () => ({ query: '{ custodyTotals { bank } }' }) },
    custodyReconciliations: { type: 'query', allowed: READERS, call: () => ({ query: '{ custodyReconciliations(first: 2) { edges { node { bank } } } }' }) },
    lendingDashboard: { type: 'query', allowed: REGULATOR, call: () => ({ query: '{ lendingDashboard { total { outstandingPrincipal } } }' }) },
    lendingAlerts: { type: 'query', allowed: REGULATOR, call: () => ({ query: '{ lendingAlerts(first: 2) { edges { node { tx } } } }' }) },
    // A platform's and the regulator's; a bank has none.
    lendingNotifications: { type: 'query', allowed: REGULATOR, call: () => ({ query: '{ lendingNotifications(first: 2) { edges { node { kind } } } }' }) },
    configureLending: { type: 'mutation', allowed: REGULATOR, call: () => ({ query: 'mutation { configureLending(input: { graceDays: 3 }) { graceDays } }' }) },
    publishLpr: {
      type: 'mutation',
      allowed: REGULATOR,
      call: () => ({ query: 'mutation($i: PublishLprInput!) { publishLpr(input: $i) { bps } }', variables: { i: { bps: 345, effectiveFrom: Date.now() + 90 * DAY + ++n * 1000 } } }),
    },
    registerLendingPlatform: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: () => ({
        query: 'mutation($i: RegisterLendingPlatformInput!) { registerLendingPlatform(input: $i) { status } }',
        variables: { i: { org: 'platform-b', registrationNo: '91110000PLATFORMB', name: 'Platform B', filingStatus: 'FILED', custodyAgreementRef: 'CUST-platform-b' } },
      }),
    },
    updateLendingPlatform: { type: 'mutation', allowed: BANK_SUBMITTERS, call: () => ({ query: 'mutation { updateLendingPlatform(input: { org: "platform-b", name: "Platform B" }) { name } }' }) },
    approveLendingPlatform: { type: 'mutation', allowed: BANK_SUBMITTERS, call: () => ({ query: 'mutation { approveLendingPlatform(org: "platform-b") { status } }' }) },
    suspendLendingPlatform: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: async () => {
        await setPlatformB('resumeLendingPlatform(org: "platform-b")');
        return { query: 'mutation { suspendLendingPlatform(org: "platform-b", reason: "matrix") { status } }' };
      },
    },
    resumeLendingPlatform: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: async (who) => {
        if (BANK_SUBMITTERS.includes(who)) await setPlatformB('suspendLendingPlatform(org: "platform-b", reason: "matrix")');
        return { query: 'mutation { resumeLendingPlatform(org: "platform-b") { status } }' };
      },
    },
    depositToCustody: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: () => ({ query: 'mutation($i: CustodyInstructionInput!) { depositToCustody(input: $i) { tx } }', variables: { i: { ref: unique('DEP'), customerId: lending.customer, amount: '100' } } }),
    },
    withdrawFromCustody: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: () => ({ query: 'mutation($i: CustodyInstructionInput!) { withdrawFromCustody(input: $i) { tx } }', variables: { i: { ref: unique('WDR'), customerId: lending.customer, amount: '100' } } }),
    },
    reportCustodyTotals: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: () => ({ query: 'mutation { reportCustodyTotals(input: { businessDate: "2025-06-30", accounts: 1, available: "100", frozen: "0" }) { bank } }' }),
    },
    reconcileCustody: { type: 'mutation', allowed: SUBMITTERS, call: () => ({ query: 'mutation { reconcileCustody(businessDate: "2025-06-30") { status } }' }) },
    declareLoanDefault: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      // An overdue loan for each caller allowed to declare one (bank-a is its custodian).
      call: (who) => ({
        query: 'mutation($l: String!) { declareLoanDefault(loanId: $l, reason: "matrix") { status } }',
        variables: { l: BANK_SUBMITTERS.includes(who) ? lending.overdueLoans.pop()! : lending.borrowerLoan },
      }),
    },
    // Lending, a platform's own operations (for its customers)
    registerLendingCustomer: {
      type: 'mutation',
      allowed: PLATFORMS_ONLY,
      call: () => ({
        query: 'mutation($i: RegisterLendingCustomerInput!) { registerLendingCustomer(input: $i) { id } }',
        variables: { i: { personKind: 'NATURAL', roles: ['BORROWER'], name: 'Matrix', nationalId: residentId(), phone: '13800138000', bankCard: '6222020000000000' } },
      }),
    },
    linkLendingTerminalUser: {
      type: 'mutation',
      allowed: PLATFORMS_ONLY,
      call: () => ({ query: 'mutation($i: LinkTerminalUserInput!) { linkLendingTerminalUser(input: $i) { customerId } }', variables: { i: { username: 'matrix-borrower', customerId: lending.customer } } }),
    },
    registerCollateral: {
      type: 'mutation',
      allowed: PLATFORMS_ONLY,
      call: () => ({
        query: 'mutation($i: RegisterCollateralInput!) { registerCollateral(input: $i) { created } }',
        variables: { i: { type: 'EQUIPMENT', identifier: unique('EQ'), appraisedValue: '100', ownerName: 'Owner', ownerNationalId: residentId() } },
      }),
    },
    createLoanListing: {
      type: 'mutation',
      allowed: PLATFORMS_ONLY,
      call: () => ({ query: 'mutation($i: CreateLoanListingInput!) { createLoanListing(input: $i) { id } }', variables: { i: lending.client.listingInput(ID(), 100n * YUAN) } }),
    },
    // Before the funding deadline only its platform cancels a listing.
    cancelLoanListing: { type: 'mutation', allowed: PLATFORMS_ONLY, call: () => ({ query: 'mutation($l: String!) { cancelLoanListing(loanId: $l) { status } }', variables: { l: lending.openListing } }) },
    placeBid: { type: 'mutation', allowed: PLATFORMS_ONLY, call: () => ({ query: 'mutation($i: PlaceBidInput!) { placeBid(input: $i) { status } }', variables: { i: { loanId: lending.openListing, lenderId: ID(), amount: '100' } } }) },
    offerClaim: {
      type: 'mutation',
      allowed: PLATFORMS_ONLY,
      call: () => ({ query: 'mutation($i: OfferClaimInput!) { offerClaim(input: $i) { price } }', variables: { i: { loanId: lending.borrowerLoan, claimId: lending.lenderClaim, buyerId: ID(), price: '1' } } }),
    },
    acceptClaimOffer: { type: 'mutation', allowed: PLATFORMS_ONLY, call: () => ({ query: 'mutation($l: String!, $c: String!) { acceptClaimOffer(loanId: $l, claimId: $c) { holder } }', variables: { l: ID(), c: ID() } }) },
    withdrawClaimOffer: { type: 'mutation', allowed: PLATFORMS_ONLY, call: () => ({ query: 'mutation($l: String!, $c: String!) { withdrawClaimOffer(loanId: $l, claimId: $c) { holder } }', variables: { l: ID(), c: ID() } }) },
    repayInstalment: { type: 'mutation', allowed: PLATFORMS_ONLY, call: () => ({ query: 'mutation($l: String!) { repayInstalment(loanId: $l, instalment: 1) { status } }', variables: { l: lending.borrowerLoan } }) },
    // Lending, terminal layer: a borrower and a lender of platform-a, each for its own customer
    myLendingProfile: { type: 'query', allowed: TERMINAL, call: () => ({ query: '{ myLendingProfile { id } }' }) },
    myLendingNotifications: { type: 'query', allowed: TERMINAL, call: () => ({ query: '{ myLendingNotifications(first: 2) { edges { node { id } } } }' }) },
    myLoans: { type: 'query', allowed: ['borrower'], call: () => ({ query: '{ myLoans(first: 2) { edges { node { id schedule { total } } } } }' }) },
    repayMyInstalment: {
      type: 'mutation',
      allowed: ['borrower'],
      call: async () => {
        const next = await lending.client.ok<{ loan: { nextInstalment: number } }>('bank-a', 'query($id: String!) { loan(loanId: $id) { nextInstalment } }', { id: lending.borrowerLoan });
        return { query: 'mutation($l: String!, $k: Int!) { repayMyInstalment(loanId: $l, instalment: $k) { nextInstalment } }', variables: { l: lending.borrowerLoan, k: next.loan.nextInstalment } };
      },
    },
    lendingMarket: { type: 'query', allowed: ['lender'], call: () => ({ query: '{ lendingMarket(first: 2) { edges { node { id } } } }' }) },
    placeMyBid: { type: 'mutation', allowed: ['lender'], call: () => ({ query: 'mutation($i: PlaceMyBidInput!) { placeMyBid(input: $i) { funded } }', variables: { i: { loanId: lending.openListing, amount: '100' } } }) },
    myPortfolio: { type: 'query', allowed: ['lender'], call: () => ({ query: '{ myPortfolio { outstanding } }' }) },
    offerMyClaim: {
      type: 'mutation',
      allowed: ['lender'],
      call: () => ({ query: 'mutation($i: OfferClaimInput!) { offerMyClaim(input: $i) { price } }', variables: { i: { loanId: lending.borrowerLoan, claimId: lending.lenderClaim, buyerId: lending.otherLender, price: '1' } } }),
    },
    acceptMyClaimOffer: {
      type: 'mutation',
      allowed: ['lender'],
      call: () => ({ query: 'mutation($l: String!, $c: String!) { acceptMyClaimOffer(loanId: $l, claimId: $c) { holder } }', variables: { l: lending.offeredClaim.loanId, c: lending.offeredClaim.claimId } }),
    },
    // Auditors
    auditRecords: { type: 'query', allowed: AUDITORS, call: () => ({ query: '{ auditRecords(first: 5) { edges { node { action } } } }' }) },
    // Admins, each within their organisation
    users: { type: 'query', allowed: ADMINS, call: () => ({ query: '{ users(first: 5) { edges { node { username } } } }' }) },
    apiKeys: { type: 'query', allowed: ADMINS, call: () => ({ query: '{ apiKeys(first: 5) { edges { node { id } } } }' }) },
    createUser: {
      type: 'mutation',
      allowed: ADMINS,
      call: () => ({ query: 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', variables: { i: { username: unique('new'), password: 'new-user-password', roles: ['VIEWER'] } } }),
    },
    issueApiKey: {
      type: 'mutation',
      allowed: ADMINS,
      call: () => ({ query: 'mutation($i: IssueApiKeyInput!) { issueApiKey(input: $i) { secret } }', variables: { i: { name: unique('key'), roles: ['VIEWER'] } } }),
    },
    webhookEndpoints: { type: 'query', allowed: ADMINS, call: () => ({ query: '{ webhookEndpoints(first: 5) { edges { node { id } } } }' }) },
    createWebhookEndpoint: { type: 'mutation', allowed: ADMINS, call: () => ({ query: CREATE_WEBHOOK, variables: { i: webhookInput() } }) },
    deleteWebhookEndpoint: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', variables: { id: await newBankWebhook() } }) },
    disableWebhookEndpoint: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { disableWebhookEndpoint(id: $id) { id } }', variables: { id: await sharedBankWebhook() } }) },
    enableWebhookEndpoint: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { enableWebhookEndpoint(id: $id) { id } }', variables: { id: await sharedBankWebhook() } }) },
    rotateWebhookEndpointSecret: {
      type: 'mutation',
      allowed: BANK_ADMIN,
      call: async () => ({ query: 'mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret } }', variables: { id: await sharedBankWebhook() } }),
    },
    webhookDeliveries: {
      type: 'query',
      allowed: BANK_ADMIN,
      call: async () => ({ query: 'query($id: ID!) { webhookDeliveries(endpointId: $id, first: 5) { edges { node { id } } } }', variables: { id: await sharedBankWebhook() } }),
    },
    revokeUser: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { revokeUser(id: $id) { status } }', variables: { id: await newBankUser() } }) },
    revokeApiKey: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) { status } }', variables: { id: await newBankApiKey() } }) },
  };

  beforeAll(async () => {
    // The rows register webhook endpoints at 127.0.0.1 (refused by default: http, a loopback address).
    t = await startTestNode({ WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }, { clock: () => Date.now() + shift });
    keystore = await t.keystore();
    await setUpLending();
    adminToken = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    creds.anonymous = {};
    creds.admin = { token: adminToken };
    creds.otherAdmin = { token: await t.login('regulator', 'admin', t.adminPassword('regulator')) };
    for (const role of ['viewer', 'auditor', 'operator'] as const) {
      const r = await t.gql('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username: role, password: `${role}-password`, roles: [role.toUpperCase()] } }, { token: adminToken });
      expect(r.body.errors).toBeUndefined();
      creds[role] = { token: await t.login('bank-a', role, `${role}-password`) };
    }
    const key = await t.gql<{ issueApiKey: { secret: string } }>('mutation { issueApiKey(input: { name: "gateway", roles: [OPERATOR] }) { secret } }', {}, { token: adminToken });
    creds.operatorKey = { apiKey: key.body.data!.issueApiKey.secret };
    const rec = await t.gql<{ recordDocument: { hash: string } }>('mutation { recordDocument(input: { id: "matrix-seed", digest: "' + digest() + '" }) { hash } }', {}, { token: adminToken });
    txHash = rec.body.data!.recordDocument.hash;
    evidenceId = await newEvidence();
    envelopeId = await newEnvelope();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has a row for every operation in the schema, and no row for an operation it lacks', async () => {
    const r = await t.gql<{ __schema: Record<'queryType' | 'mutationType' | 'subscriptionType', { fields: { name: string }[] } | null> }>(
      '{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }',
    );
    const s = r.body.data!.__schema;
    const inSchema = new Map<string, OperationType>();
    for (const f of s.queryType?.fields ?? []) inSchema.set(f.name, 'query');
    for (const f of s.mutationType?.fields ?? []) inSchema.set(f.name, 'mutation');
    for (const f of s.subscriptionType?.fields ?? []) inSchema.set(f.name, 'subscription');
    expect([...inSchema.keys()].filter((op) => !ROWS[op]).sort()).toEqual([]);
    expect(Object.keys(ROWS).filter((op) => inSchema.get(op) !== ROWS[op].type)).toEqual([]);
  });

  it('serves exactly the committed schema (schema.graphql)', async () => {
    const r = await t.gql<IntrospectionQuery>(getIntrospectionQuery());
    const served = printSchema(lexicographicSortSchema(buildClientSchema(r.body.data!)));
    const committed = printSchema(lexicographicSortSchema(buildSchema(await readFile(SCHEMA_FILE, 'utf8'))));
    expect(served).toBe(committed);
  });

  const expectRefused = (op: string, who: Who, r: Pick<GraphQLResponse, 'body'>) => {
    const expected = who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
    const codes = (r.body.errors ?? []).map((e) => e.extensions?.code);
    expect({ op, who, codes }).toEqual({ op, who, codes: [expected] });
    const data = r.body.data as Record<string, unknown> | null | undefined;
    expect({ op, who, data: data?.[op] ?? null }).toEqual({ op, who, data: null });
  };

  const expectAllowed = (op: string, who: Who, r: Pick<GraphQLResponse, 'body'>) => {
    expect({ op, who, errors: r.body.errors ?? [] }).toEqual({ op, who, errors: [] });
    const data = r.body.data as Record<string, unknown>;
    expect({ op, who, present: data?.[op] !== null && data?.[op] !== undefined }).toEqual({ op, who, present: true });
  };

  for (const who of WHO) {
    it(`${who}: every query and mutation is answered or refused as the matrix says`, async () => {
      for (const [op, row] of Object.entries(ROWS)) {
        if (row.type === 'subscription') continue;
        const call = await row.call(who);
        const r = await t.gql(call.query, call.variables, creds[who]);
        if (row.allowed.includes(who)) expectAllowed(op, who, r);
        else expectRefused(op, who, r);
      }
    });
  }

  it('subscriptions: every principal is answered or refused as the matrix says', async () => {
    const subs = await Promise.all(
      Object.entries(ROWS)
        .filter(([, row]) => row.type === 'subscription')
        .flatMap(([op, row]) => WHO.map(async (who) => ({ op, who, row, sub: subscribe(t.url, (await row.call(who)).query, {}, creds[who]) }))),
    );
    try {
      const pending = subs.filter(({ who, row }) => row.allowed.includes(who));
      // Allowed subscriptions receive the next block; keep committing until each has one.
      const received = new Map<number, Awaited<ReturnType<(typeof subs)[number]['sub']['next']>>>();
      for (let i = 0; i < 25 && received.size < pending.length; i++) {
        await t.gql('mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { status } }', { i: { id: unique('tick'), digest: digest() } }, { token: adminToken });
        // An evidence event too: reading the metadata records a view on chain.
        await t.gql('query($id: String!) { evidenceRecord(id: $id) { metadata { title } } }', { id: evidenceId }, { token: adminToken });
        await Promise.all(
          pending.map(async (s, k) => {
            if (received.has(k)) return;
            const p = await s.sub.next(150).catch(() => undefined);
            if (p) received.set(k, p);
          }),
        );
      }
      pending.forEach((s, k) => expectAllowed(s.op, s.who, { body: received.get(k) ?? { errors: [{ message: 'no block received' }] } }));
      for (const s of subs.filter(({ who, row }) => !row.allowed.includes(who))) expectRefused(s.op, s.who, { body: await s.sub.next() });
    } finally {
      for (const s of subs) s.sub.dispose();
    }
  });
});
