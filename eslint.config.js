// Lint setup run by CI (`npm run lint`): typescript-eslint's recommended rules for the TypeScript sources,
// eslint-plugin-svelte for the renderer's components, and the folder layering (eslint.layers.js).
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import { layerConfigs } from './eslint.layers.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'release/',
      'runs/',
      'assets/',
      'test-results/',
      'playwright-report/',
      'bench-results/',
      'test-reports/',
      '.cache/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,svelte}', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // Shared code runs in main and renderer alike: no Node, Electron or DOM globals.
    files: ['common/**/*.ts'],
    languageOptions: { globals: {} },
  },
  // Which folder may import which (ARCHITECTURE.md's "may import" column).
  ...layerConfigs(),
);
