import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('NodeInfo', { description: 'This node: what outsiders need to verify its checkpoints' })
export class NodeInfoModel {
  @Field(() => String)
  consortiumId!: string;

  @Field(() => String, { description: "The C2SP key name of the node's checkpoint signatures" })
  nodeKeyName!: string;

  @Field(() => String, { description: 'C2SP verifier key: keyName+hex(keyHash[0..4])+base64(0x01 || publicKey)' })
  verifierKey!: string;

  @Field(() => String, { description: 'Version of the node software' })
  version!: string;
}
