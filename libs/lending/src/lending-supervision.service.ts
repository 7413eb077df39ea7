import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { CLOCK, OrganizationDirectory, decodeCursor, encodeCursor, forbidden, newestFirstPage, toConnection, type Clock, type Connection, type RequestContext } from '@zizhu/platform';
import type { DataSource, Repository } from 'typeorm';
import { reconcileCustody } from './custody-reconciliation.js';
import type { LendingAlertsArgs, NotificationsArgs, ReconciliationsArgs, ReportCustodyTotalsInput } from './dto/lending.inputs.js';
import {
  LendingAlertEntity,
  LendingBankReportEntity,
  LendingBankTotalsEntity,
  LendingCustomerEntity,
  LendingNotificationEntity,
  LendingReconciliationEntity,
} from './entities/index.js';
import { LendingAccess } from './lending-access.service.js';
import { ALL_PLATFORMS } from './projections/lending-supervision.projection.js';
import {
  BankReportModel,
  BankTotalsModel,
  LendingAlertModel,
  LendingNotificationModel,
  ReconciliationModel,
  type LendingDashboardModel,
  type LendingStatsModel,
} from './models/lending-supervision.model.js';

const RECONCILIATION_CURSOR = /^[0-9]{4}-[0-9]{2}-[0-9]{2}:[a-z][a-z0-9-]{0,62}$/;

/** a / b as a fraction, to 6 decimal places, exact in bigint up to the division. */
const ratio = (a: bigint, b: bigint) => (b === 0n ? 0 : Number((a * 1_000_000n) / b) / 1_000_000);

/**
 * The regulator's views (the dashboard per platform and in total, alerts of refused listings), the
 * banks' custody reconciliation (totals reported from their core banking systems, the daily run,
 * its differences) and the notifications of overdue instalments and defaults.
 */
@Injectable()
export class LendingSupervisionService {
  constructor(
    private readonly access: LendingAccess,
    private readonly organizations: OrganizationDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(LendingAlertEntity) private readonly alerts: Repository<LendingAlertEntity>,
    @InjectRepository(LendingBankTotalsEntity) private readonly bankTotals: Repository<LendingBankTotalsEntity>,
    @InjectRepository(LendingBankReportEntity) private readonly reports: Repository<LendingBankReportEntity>,
    @InjectRepository(LendingReconciliationEntity) private readonly reconciliations: Repository<LendingReconciliationEntity>,
    @InjectRepository(LendingNotificationEntity) private readonly notifications: Repository<LendingNotificationEntity>,
  ) {}

  // ---- the regulator's dashboard -----------------------------------------------------------------

  /**
   * The consortium in total and every platform: a handful of rows of lending_stats kept up to date
   * in each block's commit, and each one's largest borrower from an index (lending_exposures), so
   * the cost does not grow with the number of loans.
   */
  async dashboard(ctx: RequestContext): Promise<LendingDashboardModel> {
    await this.access.operator(ctx, 'REGULATOR');
    const rows: {
      platform: string;
      outstanding: string;
      overdue_outstanding: string;
      active_loans: number;
      overdue_loans: number;
      borrowers: number;
      lenders: number;
      cap_breaches: number;
      apr_breaches: number;
      double_pledges: number;
      largest: string;
    }[] = await this.db.query(
      `SELECT p.platform, COALESCE(s.outstanding, 0)::text AS outstanding, COALESCE(s.overdue_outstanding, 0)::text AS overdue_outstanding,
              COALESCE(s.active_loans, 0) AS active_loans, COALESCE(s.overdue_loans, 0) AS overdue_loans, COALESCE(s.borrowers, 0) AS borrowers,
              COALESCE(s.lenders, 0) AS lenders, COALESCE(s.cap_breaches, 0) AS cap_breaches, COALESCE(s.apr_breaches, 0) AS apr_breaches,
              COALESCE(s.double_pledges, 0) AS double_pledges,
              COALESCE((SELECT e.outstanding FROM lending_exposures e WHERE e.role = 'BORROWER' AND e.platform = p.platform ORDER BY e.outstanding DESC LIMIT 1), 0)::text AS largest
       FROM (SELECT org AS platform FROM lending_platforms UNION SELECT $1::text) p LEFT JOIN lending_stats s ON s.platform = p.platform
       ORDER BY p.platform`,
      [ALL_PLATFORMS],
    );
    const stats = rows.map((r): LendingStatsModel => {
      const outstanding = BigInt(r.outstanding);
      const overdue = BigInt(r.overdue_outstanding);
      const largest = BigInt(r.largest);
      return {
        platform: r.platform,
        outstandingPrincipal: r.outstanding,
        overduePrincipal: r.overdue_outstanding,
        overdueRate: ratio(overdue, outstanding),
        activeLoans: Number(r.active_loans),
        overdueLoans: Number(r.overdue_loans),
        borrowers: Number(r.borrowers),
        lenders: Number(r.lenders),
        largestBorrowerPrincipal: r.largest,
        largestBorrowerShare: ratio(largest, outstanding),
        capBreachAttempts: Number(r.cap_breaches),
        aprCapBreachAttempts: Number(r.apr_breaches),
        doublePledgeAttempts: Number(r.double_pledges),
      };
    });
    return { total: stats.find((s) => s.platform === ALL_PLATFORMS)!, platforms: stats.filter((s) => s.platform !== ALL_PLATFORMS) };
  }

  async alertList(ctx: RequestContext, args: LendingAlertsArgs): Promise<Connection<LendingAlertModel>> {
    await this.access.operator(ctx, 'REGULATOR');
    const q = this.alerts.createQueryBuilder('a');
    if (args.reason) q.andWhere('a.reason = :reason', { reason: args.reason });
    if (args.platform) q.andWhere('a.platform = :platform', { platform: args.platform });
    return newestFirstPage(q, args, { kind: 'lending-alert', time: 'a.at', id: 'a.tx', idPattern: /^[0-9a-f]{64}$/, timeOf: (a) => a.at, idOf: (a) => a.tx }, LendingAlertModel.from);
  }

  // ---- custody reconciliation --------------------------------------------------------------------

  /** The chain's custody totals now: a bank its own, the regulator every bank's. */
  async custodyTotals(ctx: RequestContext): Promise<BankTotalsModel[]> {
    const principal = await this.access.operator(ctx, 'BANK', 'REGULATOR');
    const regulator = await this.organizations.isRegulator(principal.org);
    return (await this.bankTotals.find({ where: regulator ? {} : { bank: principal.org }, order: { bank: 'ASC' } })).map(BankTotalsModel.from);
  }

  /** A bank's closing totals from its core banking system for a business day (a correction replaces the day's report). */
  async report(ctx: RequestContext, input: ReportCustodyTotalsInput): Promise<BankReportModel> {
    const principal = await this.access.operator(ctx, 'BANK');
    const row = this.reports.create({
      bank: principal.org,
      businessDate: input.businessDate,
      accounts: input.accounts,
      available: input.available,
      frozen: input.frozen,
      reportedBy: `${principal.org}/${principal.name}`,
      reportedAt: new Date(this.clock()),
    });
    await this.reports.upsert(row, ['bank', 'businessDate']);
    return BankReportModel.from(row);
  }

  /** Runs the reconciliation of a business day now (the daily job does the previous day): a bank its own, the regulator every bank. */
  async reconcile(ctx: RequestContext, businessDate: string): Promise<ReconciliationModel[]> {
    const principal = await this.access.operator(ctx, 'BANK', 'REGULATOR');
    const bank = (await this.organizations.isRegulator(principal.org)) ? undefined : principal.org;
    const outcomes = await reconcileCustody((text, values) => this.db.query(text, values), businessDate, new Date(this.clock()), bank);
    if (outcomes.length === 0) return [];
    return (await this.reconciliations.find({ where: outcomes.map((o) => ({ bank: o.bank, businessDate })), order: { bank: 'ASC' } })).map(ReconciliationModel.from);
  }

  async reconciliationList(ctx: RequestContext, args: ReconciliationsArgs): Promise<Connection<ReconciliationModel>> {
    const principal = await this.access.operator(ctx, 'BANK', 'REGULATOR');
    const q = this.reconciliations.createQueryBuilder('r');
    if (!(await this.organizations.isRegulator(principal.org))) q.andWhere('r.bank = :own', { own: principal.org });
    if (args.bank) q.andWhere('r.bank = :bank', { bank: args.bank });
    if (args.status) q.andWhere('r.status = :status', { status: args.status });
    if (args.after) {
      const position = decodeCursor('reconciliation', args.after, RECONCILIATION_CURSOR);
      const cut = position.indexOf(':');
      q.andWhere('(r.business_date, r.bank) < (CAST(:day AS date), :after)', { day: position.slice(0, cut), after: position.slice(cut + 1) });
    }
    const rows = await q.orderBy('r.business_date', 'DESC').addOrderBy('r.bank', 'DESC').limit(args.first + 1).getMany();
    return toConnection(rows, args.first, (r) => encodeCursor('reconciliation', `${r.businessDate}:${r.bank}`), ReconciliationModel.from);
  }

  // ---- notifications -----------------------------------------------------------------------------

  /** Notifications of a platform (its own customers' overdue instalments and defaults); the regulator every platform's. */
  async notificationList(ctx: RequestContext, args: NotificationsArgs): Promise<Connection<LendingNotificationModel>> {
    const { principal, kind } = await this.access.member(ctx);
    if (kind === 'BANK') throw forbidden('notifications are for platforms and the regulator', 'NOT_A_PLATFORM_OR_REGULATOR');
    return this.notificationPage(args, kind === 'REGULATOR' ? {} : { org: principal.org });
  }

  /** A terminal caller's own notifications. */
  async notificationsOf(customer: LendingCustomerEntity, args: NotificationsArgs): Promise<Connection<LendingNotificationModel>> {
    return this.notificationPage(args, { customerId: customer.id });
  }

  private async notificationPage(args: NotificationsArgs, where: { org?: string; customerId?: string }): Promise<Connection<LendingNotificationModel>> {
    const q = this.notifications.createQueryBuilder('n');
    if (where.org) q.andWhere('n.org = :org', { org: where.org });
    if (where.customerId) q.andWhere('n.customer_id = :customer', { customer: where.customerId });
    return newestFirstPage(q, args, { kind: 'lending-notification', time: 'n.at', id: 'n.id', idPattern: /^[0-9a-f]{64}:[0-9]{1,6}$/, timeOf: (n) => n.at, idOf: (n) => n.id }, LendingNotificationModel.from);
  }
}
