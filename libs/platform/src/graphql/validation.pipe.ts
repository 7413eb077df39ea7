import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { badInput } from './errors.js';

function messages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`), ...messages(e.children ?? [], path)];
  });
}

/** Problems named in one error message; a 10,000-item batch with one mistake repeated stays readable. */
export const MAX_LISTED_PROBLEMS = 10;

/** The message of a failed validation: the first problems, then how many more there are. */
export function validationMessage(errors: ValidationError[]): string {
  const all = messages(errors);
  if (all.length === 0) return 'invalid input';
  const listed = all.slice(0, MAX_LISTED_PROBLEMS).join('; ');
  return all.length > MAX_LISTED_PROBLEMS ? `${listed}; and ${all.length - MAX_LISTED_PROBLEMS} more (${all.length} problems)` : listed;
}

/** class-validator on every DTO; failures are BAD_USER_INPUT (reason VALIDATION_FAILED) naming the fields. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => badInput(validationMessage(errors), 'VALIDATION_FAILED'),
  });
}
