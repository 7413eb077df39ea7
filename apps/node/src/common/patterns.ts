/** Input shapes shared by DTOs (the ledger's own rules: ledger-formats and the contracts' schemas). */
export const ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const HEX64_PATTERN = /^[0-9a-f]{64}$/;
export const API_KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
