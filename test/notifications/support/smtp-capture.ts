import { createServer, type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  subject: string;
  to: string[];
  text: string;
  html: string;
  messageId: string;
}

/** A real SMTP server for tests (smtp-server + mailparser) on a fixed local port that can go down and come back. */
/** A message the server is sitting on: the client waits for the answer to DATA until `release()`. */
export interface HeldMail {
  /** Resolves with the subject once a matching message arrived (and is being held). */
  arrived: Promise<string>;
  release(): void;
}

export class SmtpCapture {
  readonly received: CapturedMail[] = [];
  private server: SMTPServer | null = null;
  private holds: { match: (subject: string) => boolean; arrive: (s: string) => void; gate: Promise<void> }[] =
    [];

  private constructor(readonly port: number) {}

  /** Reserves a free port; the server is not listening until start(). */
  static async reserve(): Promise<SmtpCapture> {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    return new SmtpCapture(port);
  }

  static async started(): Promise<SmtpCapture> {
    const s = await SmtpCapture.reserve();
    await s.start();
    return s;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then(async (mail) => {
            const subject = mail.subject ?? '';
            const hold = this.holds.find((h) => h.match(subject));
            if (hold) {
              this.holds = this.holds.filter((h) => h !== hold);
              hold.arrive(subject);
              await hold.gate;
            }
            this.received.push({
              subject,
              to: session.envelope.rcptTo.map((r) => r.address).sort(),
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.on('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /**
   * A slow server for the next message whose subject matches: it is read in full, then the answer is
   * withheld until `release()` (the message counts as received only then). One message per call.
   */
  hold(match: (subject: string) => boolean): HeldMail {
    let arrive: (s: string) => void = () => undefined;
    let release: () => void = () => undefined;
    const arrived = new Promise<string>((r) => (arrive = r));
    const gate = new Promise<void>((r) => (release = r));
    this.holds.push({ match, arrive, gate });
    return { arrived, release };
  }

  /** Mails whose subject contains `text`, as `recipients → subject` lines, sorted (stable assertions). */
  summary(): string[] {
    return this.received.map((m) => `${m.to.join(',')} | ${m.subject}`).sort();
  }
}

/** Polls until `check` returns a truthy value or the generous deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 300_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
