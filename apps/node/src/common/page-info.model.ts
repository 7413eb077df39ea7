import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('PageInfo', { description: 'Relay page information: pass endCursor as `after` for the next page.' })
export class PageInfoModel {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
