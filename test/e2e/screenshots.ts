/** Full-page screenshots in both colour schemes, saved under test-results/ for a person to review. */
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';

export async function screenshotBothSchemes(page: Page, name: string): Promise<void> {
  mkdirSync('test-results', { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `test-results/${name}-${colorScheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: null });
}
