// Hash routes (`#/assets?page=2&q=plc`): the page state lives in the address, so reload and back work.
export const ROUTES = ['login', 'overview', 'assets', 'findings', 'warnings', 'risk', 'honeypot', 'scans'] as const;
export type RouteName = (typeof ROUTES)[number];

export interface Route {
  name: RouteName;
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = hash.split('?', 2);
  const name = (ROUTES as readonly string[]).includes(path) ? (path as RouteName) : 'overview';
  return { name, params: new URLSearchParams(query) };
}

export function href(name: RouteName, params?: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  return `#/${name}${search.size ? `?${search}` : ''}`;
}

export function navigate(name: RouteName, params?: Record<string, string | number | undefined>): void {
  const target = href(name, params);
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}
