import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { OrganizationRecord } from '@zizhu/platform';

@ObjectType('Organization', { description: 'A member of the consortium, as the system channel records it' })
export class OrganizationModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'BANK, REGULATOR, PLATFORM, HOSPITAL, …' })
  kind!: string;

  @Field(() => String)
  status!: string;

  @Field(() => String, { description: 'Root CA certificate, base64 DER' })
  caCertificate!: string;

  @Field(() => String, { description: "Admin signing key, base64 raw Ed25519" })
  signingKey!: string;

  @Field(() => String, { description: 'JWE recipient key, base64 raw X25519' })
  encryptionKey!: string;

  static from(o: OrganizationRecord): OrganizationModel {
    return { id: o.id, name: o.name, kind: o.kind, status: o.status, caCertificate: o.caCert, signingKey: o.signingKey, encryptionKey: o.encryptionKey };
  }
}
