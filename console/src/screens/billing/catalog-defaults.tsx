import { ok } from '../../api/client';
import { ErrorBanner, SelectField } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { usePartner } from '../../partner';
import { PRODUCT_CLASSES } from './defaults';
import type { SettingsForm } from './form';
import type { SetupEntry } from './types';

const optionsOf = (rows: readonly SetupEntry[] | undefined, chosen: string) => {
  const options = (rows ?? []).map((r) => ({
    value: String(r.id),
    label: `${r.name}${r.defaultFlag ? ' (ConnectWise default)' : ''}`,
  }));
  // A saved id ConnectWise no longer lists as active: shown, so Save names what is wrong.
  if (rows && chosen !== '' && !options.some((o) => o.value === chosen))
    options.push({ value: chosen, label: `#${chosen} (not active in ConnectWise now)` });
  return options;
};

type Chosen = Pick<SettingsForm, 'categoryId' | 'subcategoryId' | 'typeId' | 'productClass'>;

/**
 * Where catalog items the engine creates are filed: category → its subcategories, type, class,
 * each picked from the partner's ConnectWise (active entries only).
 */
export function CatalogDefaults({
  value,
  onChange,
  error,
}: {
  value: Chosen;
  onChange: (change: Partial<Chosen>) => void;
  error: unknown;
}) {
  const { api, path } = usePartner();
  const categories = useLoad(
    () => ok(api.GET('/partners/{partnerId}/connectwise/product-categories', { params: { path } })),
    [api, path],
  );
  const types = useLoad(
    () => ok(api.GET('/partners/{partnerId}/connectwise/product-types', { params: { path } })),
    [api, path],
  );
  const categoryId = value.categoryId;
  const subcategories = useLoad(
    async () =>
      categoryId === ''
        ? { subcategories: [] }
        : ok(
            api.GET(
              '/partners/{partnerId}/connectwise/product-categories/{categoryId}/subcategories',
              { params: { path: { ...path, categoryId: Number(categoryId) } } },
            ),
          ),
    [api, path, categoryId],
  );
  const f = 'body.catalogDefaults';
  return (
    <fieldset className="grid-fields">
      <legend>Catalog defaults</legend>
      <p className="hint wide">
        What a catalog item gets when the engine has to create one for a product (no item chosen
        below and none found). A subcategory and a type are needed to create one.
      </p>
      <ErrorBanner error={categories.error ?? types.error ?? subcategories.error} />
      <SelectField
        label="Product category"
        field={`${f}.categoryId`}
        error={error}
        options={optionsOf(categories.data?.categories, value.categoryId)}
        empty="— none —"
        value={value.categoryId}
        onValue={(categoryId) => onChange({ categoryId, subcategoryId: '' })}
      />
      <SelectField
        label="Product subcategory"
        field={`${f}.subcategoryId`}
        error={error}
        hint={value.categoryId === '' ? 'Choose a category first.' : undefined}
        options={
          subcategories.loading && value.subcategoryId !== ''
            ? [{ value: value.subcategoryId, label: `#${value.subcategoryId} (loading…)` }]
            : optionsOf(subcategories.data?.subcategories, value.subcategoryId)
        }
        empty="— none —"
        disabled={value.categoryId === ''}
        value={value.subcategoryId}
        onValue={(subcategoryId) => onChange({ subcategoryId })}
      />
      <SelectField
        label="Product type"
        field={`${f}.typeId`}
        error={error}
        options={optionsOf(types.data?.types, value.typeId)}
        empty="— none —"
        value={value.typeId}
        onValue={(typeId) => onChange({ typeId })}
      />
      <SelectField
        label="Product class"
        field={`${f}.productClass`}
        error={error}
        options={PRODUCT_CLASSES.map((c) => ({ value: c, label: c }))}
        empty="— none (ConnectWise's default) —"
        value={value.productClass}
        onValue={(productClass) => onChange({ productClass })}
      />
    </fieldset>
  );
}
