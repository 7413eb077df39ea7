/** Jest in ESM mode: ts-jest transpiles TypeScript; workspace packages resolve to their sources. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/libs', '<rootDir>/contracts', '<rootDir>/apps', '<rootDir>/migrations', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  moduleNameMapper: {
    '^@zizhu/crypto$': '<rootDir>/libs/crypto/src/index.ts',
    '^@zizhu/chain$': '<rootDir>/libs/chain/src/index.ts',
    '^@zizhu/contract-system$': '<rootDir>/contracts/system/src/index.ts',
    '^@zizhu/contract-sample$': '<rootDir>/contracts/sample/src/index.ts',
    '^@zizhu/contract-evidence$': '<rootDir>/contracts/evidence/src/index.ts',
    '^@zizhu/contract-lending$': '<rootDir>/contracts/lending/src/index.ts',
    '^@zizhu/cli$': '<rootDir>/apps/cli/src/index.ts',
    '^@zizhu/consortium$': '<rootDir>/libs/consortium/src/index.ts',
    '^@zizhu/platform$': '<rootDir>/libs/platform/src/index.ts',
    '^@zizhu/migrations$': '<rootDir>/migrations/src/index.ts',
    '^@zizhu/evidence$': '<rootDir>/libs/evidence/src/index.ts',
    '^@zizhu/lending$': '<rootDir>/libs/lending/src/index.ts',
    '^@zizhu/node$': '<rootDir>/apps/node/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 120000,
  maxWorkers: 2,
};
