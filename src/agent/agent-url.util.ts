import { AGENT_CONNECT_PATH } from 'src/agent-gateway/agent-protocol.types';

/** `https://certify.example.org` → `wss://certify.example.org/api/agent/connect` (http → ws, explicit paths kept). */
export function agentEndpoint(server: string): string {
  const url = new URL(server);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new Error(`unsupported server URL scheme: ${url.protocol}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = AGENT_CONNECT_PATH;
  return url.toString();
}
