import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsString, Matches, ValidateNested } from 'class-validator';
import { AppError } from './errors.js';
import { MAX_LISTED_PROBLEMS, createValidationPipe } from './validation.pipe.js';

class Item {
  @IsString()
  @Matches(/^[0-9]+$/, { message: 'amount must be an integer number of minor units' })
  amount!: string;
}

class Batch {
  @ValidateNested({ each: true })
  @ArrayMaxSize(10_000)
  @Type(() => Item)
  items!: Item[];
}

async function refusal(value: unknown): Promise<AppError> {
  try {
    await createValidationPipe().transform(value, { type: 'body', metatype: Batch });
  } catch (e) {
    return e as AppError;
  }
  throw new Error('the input was accepted');
}

describe('validation pipe messages', () => {
  it('names every problem when there are a few', async () => {
    const e = await refusal({ items: [{ amount: '1' }, { amount: '1.5' }, { amount: 'x' }] });
    expect(e.reason).toBe('VALIDATION_FAILED');
    expect(e.message).toBe('items.1.amount: amount must be an integer number of minor units; items.2.amount: amount must be an integer number of minor units');
  });

  it('names the first ten of a large batch and counts the rest', async () => {
    const e = await refusal({ items: Array.from({ length: 3000 }, () => ({ amount: '10.00' })) });
    expect(e.message.split('; ')).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(e.message).toMatch(/^items\.0\.amount: amount must be an integer number of minor units; items\.1\.amount/);
    expect(e.message.endsWith('; and 2990 more (3000 problems)')).toBe(true);
  });
});
