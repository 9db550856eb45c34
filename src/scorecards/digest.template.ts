import type { ScorecardDto } from 'src/scorecards/scorecards.dto';

export interface DigestMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Something to say: a finding appeared or went away since the previous run. */
export function digestHasNews(card: ScorecardDto): boolean {
  return card.runId !== null && (card.findings.new > 0 || card.findings.resolved > 0);
}

/** The nightly digest for one user's scope: score, what is new and resolved, top rules, a link to the scorecard. */
export function renderDigest(card: ScorecardDto, scopeLabel: string, scorecardUrl: string): DigestMail {
  const previous = card.trend.length > 1 ? card.trend[card.trend.length - 2].score : null;
  const change =
    previous === null || card.score === null
      ? ''
      : ` (${card.score >= previous ? '+' : ''}${(card.score - previous).toFixed(1)} since the previous run)`;
  const top = card.rules
    .filter((r) => r.failed > 0 || r.resolved > 0)
    .sort((a, b) => b.new - a.new || b.failed - a.failed || b.resolved - a.resolved)
    .slice(0, 5);
  const subject = `${card.districtName}: score ${card.score ?? '–'}, ${card.findings.new} new, ${card.findings.resolved} resolved`;
  const lines = [
    `Data certification digest for ${card.districtName} — ${scopeLabel}, data as of ${card.asOf ?? '–'}.`,
    '',
    `Score: ${card.score ?? '–'}${change}`,
    `Open findings: ${card.counts.fatal} fatal, ${card.counts.error} errors, ${card.counts.warning} warnings` +
      (card.counts.excluded ? ` (${card.counts.excluded} excluded)` : ''),
    `New since the previous run: ${card.findings.new}; resolved: ${card.findings.resolved}; persisting: ${card.findings.persisting}`,
    '',
    'Top rules:',
    ...top.map(
      (r) =>
        `- ${r.ruleId} ${r.title} [${r.severity}]: ${r.failed} open, ${r.new} new, ${r.resolved} resolved`,
    ),
    '',
    `Open the scorecard: ${scorecardUrl}`,
    '',
    'You receive this e-mail because the nightly digest is on for your account; turn it off with PATCH /api/me/digest.',
  ];
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h1 style="font-size:18px">${escapeHtml(card.districtName)} — ${escapeHtml(scopeLabel)}</h1>
<p>Data as of ${escapeHtml(card.asOf ?? '–')}. Score <strong>${card.score ?? '–'}</strong>${escapeHtml(change)}.</p>
<p>Open findings: ${card.counts.fatal} fatal, ${card.counts.error} errors, ${card.counts.warning} warnings.
New: <strong>${card.findings.new}</strong>; resolved: <strong>${card.findings.resolved}</strong>.</p>
<table cellpadding="4" style="border-collapse:collapse"><tr><th align="left">Rule</th><th>Severity</th><th>Open</th><th>New</th><th>Resolved</th></tr>
${top
  .map(
    (r) =>
      `<tr><td>${escapeHtml(r.ruleId)} ${escapeHtml(r.title)}</td><td>${r.severity}</td><td>${r.failed}</td><td>${r.new}</td><td>${r.resolved}</td></tr>`,
  )
  .join('\n')}
</table>
<p><a href="${escapeHtml(scorecardUrl)}">Open the scorecard</a></p>
</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
