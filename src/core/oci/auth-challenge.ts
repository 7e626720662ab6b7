/**
 * Parses `WWW-Authenticate` (RFC 7235): one or more challenges, each a scheme followed by auth-params
 * (`key=value` or `key="quoted, value"`). Registries answer `Bearer realm=...,service=...,scope=...`
 * (token flow) or `Basic realm=...`.
 */
export interface AuthChallenge {
  /** Lower case: `bearer`, `basic`, ... */
  scheme: string;
  params: Record<string, string>;
}

export function parseAuthChallenges(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = (): void => {
    while (i < n && /[\s,]/.test(header[i]!)) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z/]/.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  let current: AuthChallenge | undefined;
  while (i < n) {
    skipWs();
    if (i >= n) break;
    const token = readToken();
    if (token.length === 0) {
      i++; // unexpected character: skip it
      continue;
    }
    let j = i;
    while (j < n && header[j] === " ") j++;
    if (header[j] === "=" && current) {
      i = j + 1;
      while (i < n && header[i] === " ") i++;
      let value = "";
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === "\\" && i + 1 < n) i++;
          value += header[i]!;
          i++;
        }
        i++; // closing quote
      } else {
        const vs = i;
        while (i < n && header[i] !== "," && !/\s/.test(header[i]!)) i++;
        value = header.slice(vs, i);
      }
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}
