import { Field, InputType } from '@nestjs/graphql';
import { IsObject, IsString, MaxLength } from 'class-validator';
import { JSONObjectScalar } from '@zizhu/platform';

@InputType({ description: 'A transaction the client signed itself (ledger-formats §2)' })
export class SignedTransactionInput {
  @Field(() => JSONObjectScalar, { description: '{ v, channel, contract, method, args, signer, nonce, ts }: exactly what was signed' })
  @IsObject()
  envelope!: Record<string, unknown>;

  @Field(() => String, { description: 'Ed25519 signature of the preimage, base64' })
  @IsString()
  @MaxLength(128)
  signature!: string;

  @Field(() => String, { description: 'The raw 32-byte Ed25519 public key, base64' })
  @IsString()
  @MaxLength(64)
  publicKey!: string;
}
