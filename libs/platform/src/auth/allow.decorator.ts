import { SetMetadata } from '@nestjs/common';
import type { Permission } from './permissions.js';

export const ALLOW_METADATA = 'zizhu:allow';

/**
 * The permission an operation requires. Every resolver method and controller route carries one;
 * the global guard denies anything without it (default deny).
 */
export const Allow = (permission: Permission) => SetMetadata(ALLOW_METADATA, permission);
