// Lint for the whole tree: typescript-eslint's type-checked rules on TypeScript
// (types come from tsconfig.node.json and tsconfig.web.json through the project
// service), the React hooks rules on the renderer, plain recommended rules on
// the few JavaScript launchers and scripts.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['out/', 'dist/', 'node_modules/', '.bench-data/', '.desk-data/', 'test-results/', 'playwright-report/', 'bench-results/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The root tsconfig.json only references tsconfig.node.json and
        // tsconfig.web.json, so every .ts/.tsx file gets the options it is
        // typechecked with.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_` marks a parameter or binding kept for its position (a handler's
      // unused context, a skipped tuple element); everything else unused is dead.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // The desk refuses control characters on purpose (mail headers, SMTP, HR fields, names), so
      // a control character in a regular expression is the rule itself, never an accident.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read raw rows through knex and parse files and page text, all typed `any` by their
    // libraries, and assert on them at run time: the no-unsafe-* rules would flag every such read.
    // Hand-written `any` stays an error, so calls go through the typed callAs() helper.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The launchers and build scripts are plain ES modules outside every
    // tsconfig: lint them without type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // Custom hooks live in .ts files beside the components, so both count.
    files: ['renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
);
