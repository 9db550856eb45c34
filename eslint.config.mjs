// Type-aware lint rules that catch bugs (STYLE.md): floating promises, exhaustive switches, no `any`,
// no console, absolute imports instead of ../../ chains.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const RELATIVE_PARENT = ['../../*', '../../../*'];
const SERVICE_AND_TESTS = ['src', 'src/*', '../src/*', 'test', 'test/*', 'bench', 'bench/*'];
const CONNECTORS_MESSAGE =
  'connectors never import from src/, test/ or bench/ (shared types live in connectors/sdk)';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'var/**', 'coverage/**', 'bin/**', '*.config.js', '*.config.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: RELATIVE_PARENT,
              message: 'use absolute imports (src/…, connectors/…, test/…)',
            },
          ],
        },
      ],
    },
  },
  // Import direction (docs/architecture.md): src/ depends on connectors/, never the reverse; the connector
  // SDK depends on nothing else in the repository; only test/, bench/ and scripts/ may import test/ or bench/.
  // These blocks repeat the relative-import pattern because a later block replaces the rule's options.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: RELATIVE_PARENT, message: 'use absolute imports (src/…, connectors/…, test/…)' },
            {
              group: ['test', 'test/*', 'bench', 'bench/*'],
              message: 'the service never imports test or bench code',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['connectors/**/*.ts'],
    ignores: ['connectors/sdk/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: RELATIVE_PARENT, message: 'use absolute imports (src/…, connectors/…, test/…)' },
            { group: SERVICE_AND_TESTS, message: CONNECTORS_MESSAGE },
          ],
        },
      ],
    },
  },
  {
    files: ['connectors/sdk/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: RELATIVE_PARENT, message: 'use absolute imports (src/…, connectors/…, test/…)' },
            { group: SERVICE_AND_TESTS, message: CONNECTORS_MESSAGE },
            {
              group: ['connectors/*', '!connectors/sdk'],
              message: 'the connector SDK never imports a connector or the generator (they depend on it)',
            },
          ],
        },
      ],
    },
  },
  {
    // Nest resolves constructor parameters through emitted decorator metadata: type-only imports would erase them.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The web UI's browser modules (plain ES modules served as they are, no build step).
    files: ['src/ui/assets/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'fetch',
          'URL',
          'URLSearchParams',
          'Element',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'navigator',
          'FormData',
        ].map((g) => [g, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
