// The GrowthBook emulator: part of the product (the `demo` command) and the end-to-end tests' server.
export { startEmulator } from './server.js';
export type {
  ApiExtraRole,
  ApiMember,
  ApiProjectRole,
  Emulator,
  EmulatorHooks,
  EmulatorOptions,
  EmulatorSeed,
  InterceptedRequest,
  Interception,
  OnRequest,
  RequestLogEntry,
  SeedApiKey,
  SeedCustomRole,
  SeedEnvironment,
  SeedExtraRole,
  SeedMember,
  SeedPlan,
  SeedProject,
  SeedProjectRole,
} from './types.js';
