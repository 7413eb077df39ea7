import { Field, ObjectType } from '@nestjs/graphql';
import { CollateralModel } from './lending-loan.model.js';

@ObjectType('RegisteredCollateral')
export class RegisteredCollateralModel {
  @Field(() => CollateralModel)
  collateral!: CollateralModel;

  @Field(() => Boolean, { description: 'false: the asset was registered already (by any platform); nothing changed' })
  created!: boolean;
}
