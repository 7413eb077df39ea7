import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { badInput } from './errors.js';

function messages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`), ...messages(e.children ?? [], path)];
  });
}

/** class-validator on every DTO; failures are BAD_USER_INPUT (reason VALIDATION_FAILED) naming each field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => badInput(messages(errors).join('; ') || 'invalid input', 'VALIDATION_FAILED'),
  });
}
