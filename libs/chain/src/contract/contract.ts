import { canonicalJson, sha256Hex, type JsonValue } from '@zizhu/crypto';

export type { JsonValue };

/** Who signed the transaction, as the consortium directory knew them when the block executed. */
export interface Sender {
  readonly keyId: string;
  readonly org: string;
  readonly orgKind: string;
  readonly roles: readonly string[];
}

export interface StateEntry<T = JsonValue> {
  key: string;
  value: T;
}

/** The only way a contract touches state. Keys are printable ASCII; values are JSON without floats. */
export interface ContractState {
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  put(key: string, value: JsonValue): void;
  del(key: string): void;
  /** Entries whose key starts with `prefix`, in key order, after `after` (exclusive), at most `limit` (≤ 1000). */
  range<T extends JsonValue = JsonValue>(prefix: string, opts?: { after?: string; limit?: number }): Promise<StateEntry<T>[]>;
}

export interface ContractEvent {
  type: string;
  data: JsonValue;
}

/** `ctx`: everything a contract may know or do. No clocks, randomness, I/O or globals. */
export interface ContractContext {
  readonly channel: string;
  readonly sender: Sender;
  readonly block: { readonly height: number; readonly time: number };
  readonly tx: { readonly hash: string; readonly nonce: string; readonly ts: number };
  readonly state: ContractState;
  emit(type: string, data?: JsonValue): void;
}

/** JSON Schema (draft 2020-12 subset that Ajv accepts) for a method's arguments. */
export type ArgsSchema = Record<string, JsonValue>;

export interface MethodSpec {
  args: ArgsSchema;
  /** The sender must hold one of these roles (absent: any registered signer). */
  roles?: readonly string[];
  /** The sender's organisation must be of one of these kinds (absent: any member). */
  orgKinds?: readonly string[];
}

/**
 * A contract: a class with static `contractName`, `version` and `methods` specs, and one instance
 * method `(ctx, args)` per spec. All logic lives in the class, so that its code hash covers it.
 */
export interface ContractClass {
  new (): object;
  readonly contractName: string;
  readonly version: string;
  readonly methods: Readonly<Record<string, MethodSpec>>;
  /**
   * Optional: every state key a call of `method` will read, worked out from its arguments alone
   * (which it must not change), or undefined where that is not known beforehand. A block's declared
   * keys are fetched together with its other unknown keys, and a call that declares its reads is not
   * run a first time to discover them. A key read but not declared is still read (one round trip
   * of its own), so a declaration changes speed, never results.
   */
  reads?(method: string, args: { readonly [key: string]: JsonValue }, sender: Sender): readonly string[] | undefined;
}

/**
 * Code hash of a contract: SHA-256 over its name, version, method specs and compiled class source.
 * Nodes of one consortium run one release build; a changed contract changes its hash and needs an
 * approved upgrade (system contract) before the chain runs it.
 */
export function contractCodeHash(cls: ContractClass): string {
  const manifest = canonicalJson({ name: cls.contractName, version: cls.version, methods: cls.methods as unknown as JsonValue });
  return sha256Hex(manifest, '\n', Function.prototype.toString.call(cls));
}

const KEY = /^[\x21-\x7e]{1,512}$/;
/** Contract state keys: printable ASCII, no spaces; keys beginning with '~' belong to the engine. */
export const isContractKey = (key: string): boolean => KEY.test(key) && key[0] !== '~';
