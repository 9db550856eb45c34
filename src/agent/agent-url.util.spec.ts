import { agentEndpoint } from 'src/agent/agent-url.util';

describe('agentEndpoint', () => {
  it('maps http(s) to ws(s) and appends the connect path', () => {
    expect(agentEndpoint('https://certify.example.org')).toBe('wss://certify.example.org/api/agent/connect');
    expect(agentEndpoint('http://127.0.0.1:3000/')).toBe('ws://127.0.0.1:3000/api/agent/connect');
  });

  it('keeps an explicit ws path and rejects other schemes', () => {
    expect(agentEndpoint('wss://h:8443/custom/path')).toBe('wss://h:8443/custom/path');
    expect(() => agentEndpoint('ftp://h')).toThrow('unsupported server URL scheme');
  });
});
