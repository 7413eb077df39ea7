import { ArgsType, Field, Float, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsEnum, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageArgs } from '@zizhu/platform';
import { DigestAlgEnum, EvidenceStatusEnum, EvidenceTypeEnum } from '../models/evidence-record.model.js';

export const HEX64 = /^[0-9a-f]{64}$/;
const ORG = /^[a-z][a-z0-9-]{0,62}$/;
const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,30})$/;
/** Most digests one batchAnchorEvidence call takes. */
export const MAX_BATCH = 10_000;

@InputType()
export class EvidenceDigestInput {
  @Field(() => DigestAlgEnum, { defaultValue: DigestAlgEnum.sha256 })
  @IsIn(['sha256', 'sm3'])
  alg: DigestAlgEnum = DigestAlgEnum.sha256;

  @Field(() => String, { description: '64 lowercase hex' })
  @IsString()
  @Matches(HEX64, { message: 'value must be 64 lowercase hex characters' })
  value!: string;
}

@InputType({ description: 'A document digest to anchor for a holder; holder identity and metadata are sealed (JWE to the issuer, the holder organisation and the regulators)' })
export class AnchorEvidenceInput {
  @Field(() => EvidenceDigestInput)
  @ValidateNested()
  @Type(() => EvidenceDigestInput)
  digest!: EvidenceDigestInput;

  @Field(() => EvidenceTypeEnum)
  @IsEnum(EvidenceTypeEnum)
  type!: EvidenceTypeEnum;

  @Field(() => String, { description: 'The holder organisation' })
  @IsString()
  @Matches(ORG, { message: 'holder must be an organisation id' })
  holder!: string;

  @Field(() => String, { nullable: true, description: 'Who holds it within that organisation (a cardholder, an enterprise): sealed' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  holderIdentity?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  title?: string;

  @Field(() => String, { nullable: true, description: 'Integer minor units, e.g. "125000"' })
  @IsOptional()
  @IsString()
  @Matches(AMOUNT_PATTERN, { message: 'amount must be an integer number of minor units' })
  amount?: string;

  @Field(() => String, { nullable: true, description: 'External reference (invoice number, policy number)' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  reference?: string;

  @Field(() => String, { nullable: true, description: 'The id of the record this one amends (a new version; the old one becomes AMENDED)' })
  @IsOptional()
  @Matches(HEX64, { message: 'replaces must be an evidence id' })
  replaces?: string;
}

@InputType()
export class AnchorEvidenceBatchInput {
  @Field(() => [AnchorEvidenceInput], { description: `1 to ${MAX_BATCH} digests; each becomes its own transaction, individually provable` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @ValidateNested({ each: true })
  @Type(() => AnchorEvidenceInput)
  items!: AnchorEvidenceInput[];
}

const TYPES = new Set<string>(Object.values(EvidenceTypeEnum));
const optionalText = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.length <= 256);

/**
 * True only if every item certainly passes AnchorEvidenceInput's rules above (the same checks,
 * written out): what anchorEvidenceBatch runs instead of the validation pipe, whose class
 * instantiation and reflection took ~45 µs an item, a tenth of anchoring's main thread. Anything
 * else goes through class-validator after all, which is then the one that accepts or refuses it,
 * with its own messages; a spec checks this check never accepts what class-validator refuses.
 */
export function plainlyValidBatch(items: unknown): items is AnchorEvidenceInput[] {
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_BATCH) return false;
  for (const item of items as Record<string, unknown>[]) {
    if (typeof item !== 'object' || item === null) return false;
    const digest = item.digest as Record<string, unknown> | null | undefined;
    if (typeof digest !== 'object' || digest === null || (digest.alg !== 'sha256' && digest.alg !== 'sm3') || typeof digest.value !== 'string' || !HEX64.test(digest.value)) return false;
    if (typeof item.type !== 'string' || !TYPES.has(item.type)) return false;
    if (typeof item.holder !== 'string' || !ORG.test(item.holder)) return false;
    if (!optionalText(item.holderIdentity) || !optionalText(item.title) || !optionalText(item.reference)) return false;
    if (item.amount !== undefined && item.amount !== null && (typeof item.amount !== 'string' || !AMOUNT_PATTERN.test(item.amount))) return false;
    if (item.replaces !== undefined && item.replaces !== null && (typeof item.replaces !== 'string' || !HEX64.test(item.replaces))) return false;
  }
  return true;
}

@ArgsType()
export class EvidenceIdArgs {
  @Field(() => String)
  @Matches(HEX64, { message: 'id must be an evidence id (64 lowercase hex)' })
  id!: string;
}

@ArgsType()
export class EvidenceRecordsArgs extends PageArgs {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(ORG, { message: 'holder must be an organisation id' })
  holder?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(ORG, { message: 'issuer must be an organisation id' })
  issuer?: string;

  @Field(() => EvidenceTypeEnum, { nullable: true })
  @IsOptional()
  @IsEnum(EvidenceTypeEnum)
  type?: EvidenceTypeEnum;

  @Field(() => EvidenceStatusEnum, { nullable: true })
  @IsOptional()
  @IsEnum(EvidenceStatusEnum)
  status?: EvidenceStatusEnum;

  @Field(() => Float, { nullable: true, description: 'Recorded at or after (ms since the epoch)' })
  @IsOptional()
  @IsNumber()
  from?: number;

  @Field(() => Float, { nullable: true, description: 'Recorded before (ms since the epoch)' })
  @IsOptional()
  @IsNumber()
  to?: number;
}

@InputType()
export class EnvelopeRecipientInput {
  @Field(() => String)
  @Matches(ORG, { message: 'organization must be an organisation id' })
  organization!: string;

  @Field(() => String, { description: 'A user of that organisation whose signing key this node holds' })
  @IsString()
  @MaxLength(128)
  username!: string;

  @Field(() => Int, { description: '1-100: equal orders sign in parallel, a higher order after every lower one' })
  @IsInt()
  @Min(1)
  @Max(100)
  routingOrder!: number;
}

@InputType()
export class CreateSigningEnvelopeInput {
  @Field(() => String)
  @Matches(HEX64, { message: 'evidenceId must be an evidence id' })
  evidenceId!: string;

  @Field(() => [EnvelopeRecipientInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => EnvelopeRecipientInput)
  recipients!: EnvelopeRecipientInput[];

  @Field(() => Float, { description: 'ms since the epoch' })
  @IsNumber()
  expiresAt!: number;
}

@ArgsType()
export class EnvelopeIdArgs {
  @Field(() => String)
  @Matches(HEX64, { message: 'envelopeId must be an envelope id' })
  envelopeId!: string;
}

@ArgsType()
export class EnvelopeReasonArgs extends EnvelopeIdArgs {
  @Field(() => String)
  @IsString()
  @MaxLength(1024)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

@ArgsType()
export class TransferHoldingArgs extends EvidenceIdArgs {
  @Field(() => String)
  @Matches(ORG, { message: 'to must be an organisation id' })
  to!: string;
}

@ArgsType()
export class RevokeEvidenceArgs extends EvidenceIdArgs {
  @Field(() => String)
  @IsString()
  @MaxLength(1024)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}
