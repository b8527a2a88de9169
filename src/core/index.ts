// The functional core: plain data in, plain data out. Nothing here performs I/O.
export * from './build-role-update.js';
export * from './check-safety.js';
export * from './compare-plan.js';
export * from './dn.js';
export * from './group-writes.js';
export * from './identity.js';
export * from './limit-seats.js';
export * from './member-state.js';
export * from './model.js';
export * from './plan.js';
export * from './plan-actions.js';
export * from './resolve-role.js';
export * from './scope.js';
