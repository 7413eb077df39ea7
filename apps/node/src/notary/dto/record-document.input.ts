import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { HEX64_PATTERN, ID_PATTERN } from '../../common/patterns.js';

@InputType({ description: "Records a document digest with the notary contract, signed with the caller's own key" })
export class RecordDocumentInput {
  @Field(() => String, { defaultValue: 'notary' })
  @IsString()
  @Matches(ID_PATTERN, { message: 'channel must be a lowercase channel name' })
  channel: string = 'notary';

  @Field(() => String, { description: 'Document id: 1-128 letters, digits, ".", "_", "-"' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'id must be 1-128 letters, digits, ".", "_" or "-"' })
  id!: string;

  @Field(() => String, { description: 'SHA-256 of the document, 64 lowercase hex' })
  @IsString()
  @Matches(HEX64_PATTERN, { message: 'digest must be 64 lowercase hex characters' })
  digest!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  title?: string;
}
