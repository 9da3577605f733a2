/** What a stand-in can be told to do to requests on a path, so adapters' fault handling is tested against the wire. */
export type FaultKind = '429' | '500' | 'hang' | 'drop' | 'drop-after';

export interface Fault {
  /** Matched against the request's path (no query string), e.g. '/v1/charges' or /^\/v2\/shipments\//. */
  path: string | RegExp;
  method?: 'GET' | 'POST' | 'DELETE';
  /** 429 and 500 answer the vendor's error; hang never answers; drop closes the socket before answering, drop-after once the work is done. */
  kind: FaultKind;
  /** How many requests it hits; every one when left out. */
  times?: number;
  retryAfterSeconds?: number;
}

/** The faults a stand-in holds: `fault` adds one (answering its removal), `take` finds and counts the one a request meets. */
export function createFaults() {
  let faults: (Fault & { left: number })[] = [];
  return {
    fault(f: Fault): () => void {
      const entry = { ...f, left: f.times ?? Infinity };
      faults.push(entry);
      return () => void (faults = faults.filter((x) => x !== entry));
    },
    clearFaults: () => void (faults = []),
    take(method: string, path: string): Fault | undefined {
      const fault = faults.find((f) => f.left > 0 && (!f.method || f.method === method) && (typeof f.path === 'string' ? f.path === path : f.path.test(path)));
      if (fault) fault.left--;
      return fault;
    },
  };
}
