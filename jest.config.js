/** Jest: unit specs beside the source, integration specs under test/ (real PostgreSQL), e2e (browser/processes). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  transform: { '^.+\\.(t|j)s$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^src/(.*)$': '<rootDir>/src/$1',
    '^connectors/(.*)$': '<rootDir>/connectors/$1',
    '^test/(.*)$': '<rootDir>/test/$1',
    '^bench/(.*)$': '<rootDir>/bench/$1',
    '^migrations/(.*)$': '<rootDir>/migrations/$1',
  },
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  // The sql-rule guard's parser (libpg-query, WebAssembly) is loaded before any spec compiles rules.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/sql-parser-setup.ts'],
  rootDir: __dirname,
};
module.exports = {
  maxWorkers: 2,
  // testTimeout is a global option (projects ignore it). Generous: a test fails on what it observes, never on a
  // loaded machine being slow; integration hooks start databases and processes.
  testTimeout: 600000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/connectors/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
