import { Inject, Injectable } from '@nestjs/common';
import {
  createLinkDriver,
  type LinkConnectionSettings,
  type LinkDriverOptions,
} from 'connectors/sdk/drivers/link-driver';
import type { SisDriver } from 'connectors/sdk/drivers/sis-driver.types';
import type { SecretBox } from 'src/common/crypto/secret-box.service';
import { SECRET_BOX } from 'src/common/tokens';

/** What a driver needs of a link: its name (labels errors), settings and encrypted secret. */
export interface DriverLink {
  name: string;
  settings: LinkConnectionSettings;
  secretCiphertext: string | null;
}

/**
 * Opens a driver on a direct link's database: decrypts the link's password and hands it to the connector
 * SDK's createLinkDriver (per-year database, timeouts). Used by the prober and the extractor; the agent calls
 * createLinkDriver itself with the password from its configuration. Throws when the secret cannot be
 * decrypted or the settings name no known driver.
 */
@Injectable()
export class LinkDriverFactory {
  constructor(@Inject(SECRET_BOX) private readonly box: SecretBox) {}

  open(link: DriverLink, o: LinkDriverOptions = {}): SisDriver {
    const password = link.secretCiphertext ? this.box.decrypt(link.secretCiphertext) : undefined;
    return createLinkDriver(link.name, link.settings, password, o);
  }
}
