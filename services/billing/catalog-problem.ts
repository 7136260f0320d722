import { cwMessage } from '../../connectwise';
import type { ConnectWiseError } from '../../connectwise';
import type { CatalogDefaults } from '../../domain/billing/settings';

/** The catalog item fields a billing setting fills, and how an MSP names them. */
const SETTING_OF: Record<string, { what: string; setting: keyof CatalogDefaults }> = {
  category: { what: 'product category', setting: 'categoryId' },
  subcategory: { what: 'product subcategory', setting: 'subcategoryId' },
  type: { what: 'product type', setting: 'typeId' },
  productClass: { what: 'product class', setting: 'productClass' },
};

const settingName = (setting: keyof CatalogDefaults) =>
  `billing settings catalogDefaults.${setting}`;

/**
 * The contract requires a subcategory and a type on a new catalog item (openapi.trimmed.yaml
 * CatalogItem): without the settings that give them nothing can be created, so the run says
 * which to set instead of sending a request ConnectWise must refuse.
 */
export function missingCatalogDefaults(defaults: CatalogDefaults): string {
  const missing = (['subcategory', 'type'] as const).filter(
    // Stored settings may hold null for "not set".
    (field) => defaults[SETTING_OF[field]!.setting] == null,
  );
  const whats = missing.map((f) => SETTING_OF[f]!.what).join(' and a ');
  const settings = missing.map((f) => settingName(SETTING_OF[f]!.setting)).join(' and ');
  return `ConnectWise requires a ${whats} for a new catalog item: set ${settings}, or map the sku to an existing catalog item`;
}

/**
 * What a refused catalog create means for the MSP. A field a billing setting fills (category,
 * subcategory, type, product class) is a settings problem, the same for every sku, and is named;
 * anything else is this sku's own problem, in ConnectWise's words.
 */
export function catalogCreateProblem(
  err: ConnectWiseError,
  sku: string,
): { reason: string; settings: boolean } {
  for (const detail of err.errors) {
    const field = (detail.field ?? '').split('/')[0] ?? '';
    const known = SETTING_OF[field];
    if (!known) continue;
    const setting = settingName(known.setting);
    const reason =
      detail.code === 'NullValue'
        ? `ConnectWise requires a ${known.what}: set ${setting}`
        : `ConnectWise refused the ${known.what} (${detail.message ?? detail.code ?? 'invalid'}): check ${setting}`;
    return { reason, settings: true };
  }
  if (err.kind === 'permission') {
    return {
      reason: `ConnectWise refused to create catalog items (${cwMessage(err)}): the API member needs Procurement → Product Catalog Add`,
      settings: true,
    };
  }
  return {
    reason: `ConnectWise refused the catalog item for sku ${sku}: ${cwMessage(err)}`,
    settings: false,
  };
}
