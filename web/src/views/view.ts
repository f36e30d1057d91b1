/** What a page gets: an element to own and the route's parameters. It may return a disposer (charts, timers). */
export interface ViewContext {
  root: HTMLElement;
  params: URLSearchParams;
}

export type Dispose = () => void;
export type View = (ctx: ViewContext) => Promise<Dispose | void>;
