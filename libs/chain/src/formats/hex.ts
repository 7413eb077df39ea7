/** 64 lowercase hex characters: a SHA-256 digest, a transaction hash or a key id as the ledger writes them. */
export const HEX64 = /^[0-9a-f]{64}$/;
