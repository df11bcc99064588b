/** Domain types shared by the main process and the renderer, one file per feature in shared/types/. */
export * from './types/desk';
export * from './types/employees';
export * from './types/mfa';
export * from './types/mail';
export * from './types/hr';
export * from './types/audit';
export * from './types/tickets';
export * from './types/portal';
