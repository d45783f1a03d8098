// The control panel's only gateway to the Go server (STYLE.md practice 11): components and the reactive
// feeds import typed functions from here and never call fetch themselves. One module per area of the
// API, each beside the TypeScript types of the JSON it sends and receives, all on the request core in
// request.ts, so every refusal is the same ApiError. The core's `request` itself is not exported.
export { ApiError, cleanServerMessage, csrfToken, type EventSourceLike } from './request';
export * from './fields';
export * from './status';
export * from './jobs';
export * from './patients';
export * from './people';
export * from './clients';
export * from './launches';
export * from './discovery';
export * from './events';
export * from './keys';
export * from './users';
export * from './storage';
export * from './tls';
export * from './clock';
export * from './exports';
export * from './simulations';
export * from './admin';
export * from './scenarios';
export * from './expire';
