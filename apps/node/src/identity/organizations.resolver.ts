import { Query, Resolver } from '@nestjs/graphql';
import { Allow, LedgerService, Permission } from '@zizhu/platform';
import { OrganizationModel } from './models/organization.model.js';

@Resolver(() => OrganizationModel)
export class OrganizationsResolver {
  constructor(private readonly ledger: LedgerService) {}

  /** Membership is public within the consortium: every member sees who the others are. */
  @Query(() => [OrganizationModel], { description: 'Members of the consortium' })
  @Allow(Permission.ReadOrganizations)
  async organizations(): Promise<OrganizationModel[]> {
    return (await this.ledger.organizations()).map(OrganizationModel.from);
  }
}
