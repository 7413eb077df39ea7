import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, type Connection, type RequestContext } from '@zizhu/platform';
import { BusinessDateArgs, LendingAlertsArgs, NotificationsArgs, ReconciliationsArgs, ReportCustodyTotalsInput } from './dto/lending.inputs.js';
import { LendingSupervisionService } from './lending-supervision.service.js';
import {
  BankReportModel,
  BankTotalsModel,
  LendingAlertConnection,
  LendingDashboardModel,
  LendingNotificationConnection,
  ReconciliationConnection,
  ReconciliationModel,
  type LendingAlertModel,
  type LendingNotificationModel,
} from './models/lending-supervision.model.js';

/** The regulator's supervisory views, the banks' custody reconciliation, notifications (operations layer). */
@Resolver()
export class LendingSupervisionResolver {
  constructor(private readonly supervision: LendingSupervisionService) {}

  @Query(() => LendingDashboardModel, { description: 'The regulator: per platform and in total, outstanding principal, borrowers, lenders, overdue rate, largest-borrower concentration, attempted breaches' })
  @Allow(Permission.ReadLending)
  lendingDashboard(@Ctx() ctx: RequestContext): Promise<LendingDashboardModel> {
    return this.supervision.dashboard(ctx);
  }

  @Query(() => LendingAlertConnection, { description: 'The regulator: listings refused with DOUBLE_PLEDGE, CAP_EXCEEDED or APR_CAP_EXCEEDED, newest first' })
  @Allow(Permission.ReadLending)
  lendingAlerts(@Ctx() ctx: RequestContext, @Args() args: LendingAlertsArgs): Promise<Connection<LendingAlertModel>> {
    return this.supervision.alertList(ctx, args);
  }

  @Query(() => [BankTotalsModel], { description: "The chain's custody totals now: a bank its own, the regulator every bank's" })
  @Allow(Permission.ReadLending)
  custodyTotals(@Ctx() ctx: RequestContext): Promise<BankTotalsModel[]> {
    return this.supervision.custodyTotals(ctx);
  }

  @Mutation(() => BankReportModel, { description: "A bank reports a business day's closing custody totals from its core banking system (a correction replaces the day's report)" })
  @Allow(Permission.OperateLending)
  reportCustodyTotals(@Ctx() ctx: RequestContext, @Args('input') input: ReportCustodyTotalsInput): Promise<BankReportModel> {
    return this.supervision.report(ctx, input);
  }

  @Mutation(() => [ReconciliationModel], { description: 'Reconciles a business day now (the daily job reconciles the previous day): a bank its own, the regulator every bank' })
  @Allow(Permission.OperateLending)
  reconcileCustody(@Ctx() ctx: RequestContext, @Args() args: BusinessDateArgs): Promise<ReconciliationModel[]> {
    return this.supervision.reconcile(ctx, args.businessDate);
  }

  @Query(() => ReconciliationConnection, { description: 'Reconciled business days, newest first: a bank its own, the regulator every bank' })
  @Allow(Permission.ReadLending)
  custodyReconciliations(@Ctx() ctx: RequestContext, @Args() args: ReconciliationsArgs): Promise<Connection<ReconciliationModel>> {
    return this.supervision.reconciliationList(ctx, args);
  }

  @Query(() => LendingNotificationConnection, { description: "A platform's notifications (instalments overdue, loans in default); the regulator every platform's" })
  @Allow(Permission.ReadLending)
  lendingNotifications(@Ctx() ctx: RequestContext, @Args() args: NotificationsArgs): Promise<Connection<LendingNotificationModel>> {
    return this.supervision.notificationList(ctx, args);
  }
}
