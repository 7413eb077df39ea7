import { Args, Query, Resolver } from '@nestjs/graphql';
import { Allow, AuditService, Ctx, Permission, decodeIntegerCursor, encodeCursor, requirePrincipal, type RequestContext } from '@zizhu/platform';
import { PageArgs } from '../common/page.args.js';
import { toConnection } from '../common/connection.js';
import { AuditRecordConnection, AuditRecordModel } from './models/audit-record.model.js';

@Resolver(() => AuditRecordModel)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditRecordConnection, { description: "The caller's organisation's audit trail, newest first" })
  @Allow(Permission.ReadAudit)
  async auditRecords(@Ctx() ctx: RequestContext, @Args() page: PageArgs): Promise<AuditRecordConnection> {
    const principal = requirePrincipal(ctx);
    const before = page.after === undefined ? undefined : String(decodeIntegerCursor('audit', page.after));
    const rows = await this.audit.list(principal.org, page.first + 1, before);
    return toConnection(rows, page.first, (a) => encodeCursor('audit', a.id), AuditRecordModel.from);
  }
}
