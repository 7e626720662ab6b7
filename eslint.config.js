// ESLint flat config. Shipped code (src, action/src) gets typescript-eslint's strict and stylistic type-checked
// rules. Tests, benchmarks, the gallery, scripts and bin get the recommended rules without type information:
// type-aware linting of the test tree (larger than src) would double the lint time of `npm test` for rules
// that guard production code paths.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "action/dist/**",
      "gallery-out/**",
      "flibs-out/**",
      "coverage/**",
      // Test data: files tests read or run as they are (a stand-in Action bundle, fake actions).
      "test/fixtures/**",
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    languageOptions: { globals: globals.node },
  },
  js.configs.recommended,
  {
    rules: {
      // flibs matches terminal escape sequences and control characters on purpose: to strip or escape them.
      "no-control-regex": "off",
    },
  },
  {
    files: ["src/**/*.ts", "action/src/**/*.ts"],
    extends: [tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // noUncheckedIndexedAccess types every index and regex group as possibly undefined; `!` marks one the
      // line before has established (a match succeeded, a key was just set).
      "@typescript-eslint/no-non-null-assertion": "off",
      // Counts, sizes and exit codes are numbers in most messages; undefined or an object there is still a bug.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // `(line) => core.info(line)` is a callback, not a value.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // `() => {}` is the project's no-op callback (a stream's pipeline callback, an unobserved rejection).
      "@typescript-eslint/no-empty-function": ["error", { allow: ["arrowFunctions"] }],
      // `x || fallback` on a string or number is deliberate: an empty variable or 0 columns means not set.
      "@typescript-eslint/prefer-nullish-coalescing": ["error", { ignorePrimitives: { string: true, number: true } }],
      // The code's style: `string[]` for a simple element type, `Array<{ ... }>` for an object or union.
      "@typescript-eslint/array-type": ["error", { default: "array-simple" }],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "gallery/**/*.ts", "vitest.config.ts"],
    extends: [tseslint.configs.recommended],
    rules: {
      // Tests read GitHub payloads and JSON bodies whose shape the assertions check, not the types.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
