import { DateTime } from 'luxon';

export type AlertKind = 'open' | 'reminder' | 'recovery';
export type AlertAudience = 'support' | 'district';

export interface AlertProbe {
  at: Date;
  ok: boolean;
  latencyMs: number | null;
  errorCode: string | null;
}

/** One incident inside an alert message. */
export interface AlertItem {
  incidentId: string;
  subjectKind: 'link' | 'agent';
  name: string;
  sisKind: string | null;
  transport: 'direct' | 'agent' | null;
  host: string | null;
  dbUser: string | null;
  agentHostname: string | null;
  openedAt: Date;
  closedAt: Date | null;
  causeCode: string;
  cause: string;
  lastLatencyMs: number | null;
  recentProbes: AlertProbe[];
  /** For an agent: the links reached through it (their own alerts are suppressed). */
  linksBehind: string[];
}

export interface AlertContext {
  kind: AlertKind;
  audience: AlertAudience;
  districtName: string;
  timeZone: string;
  statusUrl: string;
  now: Date;
  items: AlertItem[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const SIS_LABELS: Record<string, string> = {
  aeries: 'Aeries',
  powerschool: 'PowerSchool',
  infinite_campus: 'Infinite Campus',
};
const sisLabel = (kind: string | null): string => (kind ? (SIS_LABELS[kind] ?? kind) : 'SIS');

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', !d && !h ? `${s % 60}s` : ''].filter(
    Boolean,
  );
  return parts.join(' ');
}

function when(d: Date, zone: string): string {
  return DateTime.fromJSDate(d).setZone(zone).toFormat('yyyy-LL-dd HH:mm:ss ZZZZ');
}

const VERB: Record<AlertKind, string> = { open: 'DOWN', reminder: 'Still DOWN', recovery: 'RECOVERED' };

export function alertSubject(ctx: AlertContext): string {
  const names = ctx.items.length === 1 ? ctx.items[0].name : `${ctx.items.length} connections`;
  return `[sis-certify] ${VERB[ctx.kind]}: ${ctx.districtName} — ${names}`;
}

/** Plain, actionable advice for district staff, by what failed. */
export function districtAdvice(i: AlertItem): string {
  const sis = sisLabel(i.sisKind);
  if (i.subjectKind === 'agent') {
    const where = i.agentHostname ? `on ${i.agentHostname}` : 'on the server where it is installed';
    return `Restart the sis-certify agent service ${where}, and check that this server can still reach sis-certify over HTTPS.`;
  }
  if (i.transport === 'agent') {
    return `The sis-certify agent is running but cannot reach the ${sis} database: check that the database server is up and that the agent's configuration (host, user, password) is still valid.`;
  }
  switch (i.causeCode) {
    case 'AUTH_FAILED':
      return `The ${sis} database refused the sis-certify login${i.dbUser ? ` (user ${i.dbUser})` : ''}. The password may have expired or been changed: reset it and send the new one to sis-certify support.`;
    case 'TIMEOUT':
      return `The ${sis} database${i.host ? ` at ${i.host}` : ''} did not answer in time. Reconnect the ${sis} VPN if it dropped, and check the database server's load.`;
    default:
      return `sis-certify cannot reach the ${sis} database${i.host ? ` at ${i.host}` : ''}. Reconnect the ${sis} VPN, and check that the database server is running and the firewall still allows sis-certify.`;
  }
}

function districtLines(ctx: AlertContext, i: AlertItem): string[] {
  const lines = [
    `• ${i.name}: ${ctx.kind === 'recovery' ? 'working again' : 'not reachable'} since ${when(i.openedAt, ctx.timeZone)}`,
  ];
  if (ctx.kind === 'recovery' && i.closedAt) {
    lines.push(
      `  Back at ${when(i.closedAt, ctx.timeZone)} after ${formatDuration(i.closedAt.getTime() - i.openedAt.getTime())} of downtime.`,
    );
  } else {
    lines.push(`  What to do: ${districtAdvice(i)}`);
    if (i.linksBehind.length > 0)
      lines.push(`  Connections through this agent: ${i.linksBehind.join(', ')}.`);
  }
  return lines;
}

function supportLines(ctx: AlertContext, i: AlertItem): string[] {
  const end = i.closedAt ?? ctx.now;
  const lines = [
    `• ${i.subjectKind} "${i.name}" (incident ${i.incidentId})`,
    `  sis: ${i.sisKind ?? '-'}  transport: ${i.transport ?? 'agent'}  host: ${i.host ?? '-'}  agent host: ${i.agentHostname ?? '-'}`,
    `  opened: ${i.openedAt.toISOString()}  ${i.closedAt ? `closed: ${i.closedAt.toISOString()}  ` : ''}duration: ${formatDuration(end.getTime() - i.openedAt.getTime())}`,
    `  cause: ${i.causeCode} — ${i.cause}`,
    `  last latency: ${i.lastLatencyMs ?? '-'} ms`,
  ];
  if (i.linksBehind.length > 0) lines.push(`  links behind (alerts suppressed): ${i.linksBehind.join(', ')}`);
  if (i.recentProbes.length > 0) {
    lines.push('  recent probes:');
    for (const p of i.recentProbes) {
      lines.push(
        `    ${p.at.toISOString()}  ${p.ok ? 'ok  ' : 'FAIL'}  ${p.latencyMs ?? '-'} ms${p.errorCode ? `  ${p.errorCode}` : ''}`,
      );
    }
  }
  return lines;
}

const INTRO: Record<AlertAudience, Record<AlertKind, string>> = {
  district: {
    open: 'sis-certify lost its connection to your student information system. Data-quality checks are paused until it is back.',
    reminder:
      'This is a reminder: the connection below is still down, so data-quality checks are still paused.',
    recovery:
      'Good news: the connection below works again. Checks that were skipped will catch up automatically.',
  },
  support: {
    open: 'Incident opened.',
    reminder: 'Incident still open.',
    recovery: 'Incident resolved.',
  },
};

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Support staff get codes, hosts, latencies and probe history; district staff get what broke and what to do. */
export function renderIncidentAlert(ctx: AlertContext): RenderedMail {
  const body = ctx.items.flatMap((i) =>
    ctx.audience === 'support' ? supportLines(ctx, i) : districtLines(ctx, i),
  );
  const lines = [
    INTRO[ctx.audience][ctx.kind],
    '',
    `District: ${ctx.districtName}`,
    '',
    ...body,
    '',
    `Status page: ${ctx.statusUrl}`,
  ];
  const text = `${lines.join('\n')}\n`;
  const html = `<div style="font-family:sans-serif"><pre style="font-family:inherit;white-space:pre-wrap">${escapeHtml(lines.slice(0, -1).join('\n'))}</pre><p><a href="${escapeHtml(ctx.statusUrl)}">Open the status page</a></p></div>`;
  return { subject: alertSubject(ctx), text, html };
}
