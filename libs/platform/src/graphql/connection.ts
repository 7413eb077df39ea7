/** Relay connections shared by the node and the business modules: one PageInfo type, one page argument set. */
import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

@ObjectType('PageInfo', { description: 'Relay page information: pass endCursor as `after` for the next page.' })
export class PageInfoModel {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export const MAX_PAGE = 100;

/** Relay forward pagination: `first` items after the cursor `after`. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: `1 to ${MAX_PAGE}` })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfoModel;
}

/** A Relay connection type (`<Name>Connection` with `<Name>Edge`) for a node type. */
export function ConnectionType<T>(node: Type<T>, name: string): Type<Connection<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<T> {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionBase implements Connection<T> {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfoModel)
    pageInfo!: PageInfoModel;
  }
  return ConnectionBase as Type<Connection<T>>;
}

/**
 * Builds a connection from `first + 1` fetched items: the extra one only says whether there is a
 * next page.
 */
export function toConnection<I, T>(items: I[], first: number, cursorOf: (item: I) => string, toNode: (item: I) => T): Connection<T> {
  const page = items.slice(0, first);
  const edges = page.map((item) => ({ cursor: cursorOf(item), node: toNode(item) }));
  return { edges, pageInfo: { hasNextPage: items.length > first, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null } };
}
