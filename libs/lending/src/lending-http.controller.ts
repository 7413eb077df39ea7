import { Controller, Get, Param, Res } from '@nestjs/common';
import { Allow, Ctx, Permission, badInput, type RequestContext } from '@zizhu/platform';
import type { FastifyReply } from 'fastify';
import { LendingSupervisionService } from './lending-supervision.service.js';
import { LoansService } from './loans.service.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a leading = + - @ defused for spreadsheets. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (/^[=+\-@]/.test(s) && !/^-?[0-9]+(\.[0-9]+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (values: (string | number | null)[]) => `${values.map(csvField).join(',')}\r\n`;

/**
 * CSV exports for supervision (operations layer):
 * - `GET /lending/loans/:id/fund-flow.csv`: every custody movement of a loan with its parties,
 *   identities decrypted where the caller may read them (the regulator; the platform its own customers), audited;
 * - `GET /lending/dashboard.csv`: the regulator's figures per platform and in total.
 */
@Controller('lending')
export class LendingHttpController {
  constructor(
    private readonly loans: LoansService,
    private readonly supervision: LendingSupervisionService,
  ) {}

  @Get('loans/:id/fund-flow.csv')
  @Allow(Permission.ReadLending)
  async fundFlow(@Ctx() ctx: RequestContext, @Param('id') id: string, @Res() reply: FastifyReply) {
    if (!HEX64.test(id)) throw badInput('id must be a loan id (64 lowercase hex)', 'INVALID_ID');
    const movements = await this.loans.fundFlow(ctx, await this.loans.loan(ctx, id), 'fund flow export');
    let body = csvLine(['height', 'tx', 'idx', 'at', 'kind', 'amount_fen', 'from_customer', 'from_platform', 'from_name', 'from_national_id', 'from_bank', 'to_customer', 'to_platform', 'to_name', 'to_national_id', 'to_bank', 'ref']);
    for (const m of movements) {
      body += csvLine([
        m.height,
        m.tx,
        m.idx,
        new Date(m.at).toISOString(),
        m.kind,
        m.amount,
        m.from,
        m.fromParty?.platform ?? null,
        m.fromParty?.name ?? null,
        m.fromParty?.nationalId ?? null,
        m.fromBank,
        m.to,
        m.toParty?.platform ?? null,
        m.toParty?.name ?? null,
        m.toParty?.nationalId ?? null,
        m.toBank,
        m.ref,
      ]);
    }
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="loan-${id.slice(0, 16)}-fund-flow.csv"`).send(body);
  }

  @Get('dashboard.csv')
  @Allow(Permission.ReadLending)
  async dashboard(@Ctx() ctx: RequestContext, @Res() reply: FastifyReply) {
    const { total, platforms } = await this.supervision.dashboard(ctx);
    let body = csvLine([
      'platform',
      'outstanding_principal_fen',
      'overdue_principal_fen',
      'overdue_rate',
      'active_loans',
      'overdue_loans',
      'borrowers',
      'lenders',
      'largest_borrower_principal_fen',
      'largest_borrower_share',
      'cap_breach_attempts',
      'apr_cap_breach_attempts',
      'double_pledge_attempts',
    ]);
    for (const s of [...platforms, total]) {
      body += csvLine([
        s.platform,
        s.outstandingPrincipal,
        s.overduePrincipal,
        s.overdueRate,
        s.activeLoans,
        s.overdueLoans,
        s.borrowers,
        s.lenders,
        s.largestBorrowerPrincipal,
        s.largestBorrowerShare,
        s.capBreachAttempts,
        s.aprCapBreachAttempts,
        s.doublePledgeAttempts,
      ]);
    }
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="lending-dashboard.csv"').send(body);
  }
}
