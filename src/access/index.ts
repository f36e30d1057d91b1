export { can, scopeKind, type Action } from './roles.ts';
export { inScope, objectInScope } from './scope.ts';
export { hashPassword, verifyPassword, generatePassword } from './passwords.ts';
export { LoginThrottle } from './throttle.ts';
