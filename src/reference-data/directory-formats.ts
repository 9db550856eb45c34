import { parseAskTed } from 'src/reference-data/askted-directory.parser';
import { parseCdePubschls } from 'src/reference-data/cde-directory.parser';
import type { DirectoryFormat } from 'src/reference-data/state-directory.types';

/**
 * School directory file formats by name. Each state's public directory has its own layout; a format names the
 * state it loads. Add a state by adding its parser here.
 */
export const DIRECTORY_FORMATS: Record<string, DirectoryFormat> = {
  'cde-pubschls': {
    state: 'CA',
    title: 'CDE California School Directory (pubschls, tab-delimited)',
    parse: parseCdePubschls,
  },
  'tea-askted': {
    state: 'TX',
    title: 'TEA AskTED School and District Data File (CSV)',
    parse: parseAskTed,
  },
};

/** The default format of a state's directory (the first registered for it). */
export function defaultFormatFor(state: string): string | null {
  return Object.entries(DIRECTORY_FORMATS).find(([, f]) => f.state === state)?.[0] ?? null;
}
