export { buildApi, type ApiOptions } from './app.ts';
