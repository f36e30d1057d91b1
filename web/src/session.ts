// The login token lives in sessionStorage: it dies with the tab, and other tabs must log in themselves.
import type { User } from './api.ts';

const TOKEN_KEY = 'otscope.token';
let user: User | null = null;

export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  user(): User | null {
    return user;
  },
  start(token: string, who: User): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    user = who;
  },
  setUser(who: User): void {
    user = who;
  },
  end(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    user = null;
  },
};
