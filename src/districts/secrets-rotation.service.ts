import { Inject, Injectable, Logger } from '@nestjs/common';
import { SecretBoxException, type SecretBox } from 'src/common/crypto/secret-box.service';
import { SECRET_BOX } from 'src/common/tokens';
import { LinksRepository } from 'src/districts/links.repository';

/** A link whose secret neither key opens: its password has to be entered again. */
export interface UnreadableSecret {
  linkId: string;
  districtId: string;
  linkName: string;
}

export interface ReencryptionReport {
  checked: number;
  reencrypted: number;
  alreadyCurrent: number;
  /** Changed through the API between the read and the write: already under the current key. */
  changedMeanwhile: number;
  unreadable: UnreadableSecret[];
}

const BATCH = 200;

/**
 * Key rotation: every SIS link credential still encrypted with SECRETS_KEY_PREVIOUS is encrypted again under
 * SECRETS_KEY, a batch per transaction. Re-running is a no-op; plaintext never leaves this method.
 */
@Injectable()
export class SecretsRotationService {
  private readonly log = new Logger(SecretsRotationService.name);

  constructor(
    private readonly links: LinksRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  async reencryptAll(): Promise<ReencryptionReport> {
    const report: ReencryptionReport = {
      checked: 0,
      reencrypted: 0,
      alreadyCurrent: 0,
      changedMeanwhile: 0,
      unreadable: [],
    };
    let after: string | null = null;
    for (;;) {
      const page = await this.links.secretsAfter(after, BATCH);
      if (page.length === 0) break;
      const changes: Array<{ id: string; from: string; to: string }> = [];
      for (const row of page) {
        report.checked++;
        try {
          const r = this.box.reencrypt(row.ciphertext);
          if (r.state === 'current') report.alreadyCurrent++;
          else changes.push({ id: row.id, from: row.ciphertext, to: r.ciphertext });
        } catch (err) {
          if (!(err instanceof SecretBoxException)) throw err;
          report.unreadable.push({ linkId: row.id, districtId: row.districtId, linkName: row.name });
        }
      }
      const written = await this.links.replaceSecrets(changes);
      report.reencrypted += written;
      report.changedMeanwhile += changes.length - written;
      after = page[page.length - 1].id;
    }
    this.log.log(
      `re-encryption: ${report.checked} secrets checked, ${report.reencrypted} re-encrypted, ${report.alreadyCurrent} already current, ${report.unreadable.length} unreadable`,
    );
    return report;
  }
}
