/** Small constructors that keep the entries readable. Internal to the knowledge base. */
import type { SettingKey } from './settings.js';
import type { Bilingual, CommandSource, CorrectionSource, SettingRef } from './types.js';

/** A text in English and Chinese. */
export const t = (en: string, zh: string): Bilingual => ({ en, zh });

/** A command line with what it shows, in English and Chinese. */
export const cmd = (command: string, en: string, zh: string): CommandSource => ({
  command,
  purpose: { en, zh },
});

/** A setting cited by an entry; `setsDuration` when it decides how long the state lasts. */
export const ref = (key: SettingKey, setsDuration = false): SettingRef =>
  setsDuration ? { key, setsDuration } : { key };

/** A claim and its correction. */
export const fixClaim = (claim: Bilingual, truth: Bilingual): CorrectionSource => ({ claim, truth });
