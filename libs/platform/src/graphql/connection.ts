/** Relay connections shared by the node and the business modules: one PageInfo type, one page argument set. */
import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, encodeCursor } from './pagination.js';

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

/** How a list is ordered for keyset pagination, newest first: a time column, then an id column breaking ties. */
export interface NewestFirstKey<E> {
  /** The cursor kind (cursors of one list are refused by another). */
  kind: string;
  /** SQL of the time and id columns, e.g. `l.listed_at`, `l.id`. */
  time: string;
  id: string;
  /** What an id looks like (it reaches SQL through a parameter; the cursor is checked against it). */
  idPattern: RegExp;
  timeOf(row: E): Date;
  idOf(row: E): string;
}

/**
 * One page of a list ordered newest first by (time, id): the `first` rows after the cursor `after`
 * (`<ms>:<id>` of the last row seen, opaque to clients), as a Relay connection. `q` carries the
 * list's own conditions; an index on (time, id) keeps every page one index range.
 */
export async function newestFirstPage<E extends ObjectLiteral, T>(q: SelectQueryBuilder<E>, args: PageArgs, key: NewestFirstKey<E>, toNode: (row: E) => T): Promise<Connection<T>> {
  if (args.after) {
    const position = decodeCursor(key.kind, args.after, new RegExp(`^[0-9]{1,16}:(${key.idPattern.source.replace(/^\^|\$$/g, '')})$`));
    const cut = position.indexOf(':');
    q.andWhere(`(${key.time}, ${key.id}) < (:afterTime, :afterId)`, { afterTime: new Date(Number(position.slice(0, cut))), afterId: position.slice(cut + 1) });
  }
  const rows = await q.orderBy(key.time, 'DESC').addOrderBy(key.id, 'DESC').limit(args.first + 1).getMany();
  return toConnection(rows, args.first, (r) => encodeCursor(key.kind, `${key.timeOf(r).getTime()}:${key.idOf(r)}`), toNode);
}
