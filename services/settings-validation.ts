import {
  evaluateAgreement,
  getBoard,
  isConnectWiseError,
  listBoardStatuses,
  listPriorities,
  listSources,
  type Board,
  type ConnectWiseClient,
  agreementsById,
  listProductCategories,
  listProductSubcategories,
  listProductTypes,
} from '../connectwise';
import type { BillingSettings, Repositories, TicketSettings } from '../db';
import type { CatalogDefaults } from '../domain/billing/settings';
import { SEVERITIES, type Severity } from '../domain/tickets/settings';
import type { CompanyMapping } from '../db/repositories/company-mappings';
import { billingDayOf } from './billing/billing-day';
import type { FieldProblem } from './field-problem';

/** Ticket settings with every id present: what the checks below need. */
export type EnabledTicketSettings = TicketSettings &
  Required<Pick<TicketSettings, 'boardId' | 'sourceId' | 'initialStatusId' | 'closingStatusId'>>;

const none = () => Promise.resolve(undefined);

const named = (what: string, r: { id: number; name?: string | null }) =>
  r.name ? `${what} "${r.name}" (${r.id})` : `${what} ${r.id}`;

async function boardOrUndefined(
  client: ConnectWiseClient,
  boardId: number,
): Promise<Board | undefined> {
  try {
    return await getBoard(client, boardId);
  } catch (err) {
    if (isConnectWiseError(err) && err.kind === 'not_found') return undefined;
    throw err;
  }
}

/**
 * The rules for ticket settings, checked against ConnectWise as it is now (docs/connectwise.md §5, §8.3):
 * an active service board; initial and closing statuses that belong to it and are active; the
 * closing status closes tickets and the initial one does not; a source that exists; each
 * severity's priority exists (one list of priorities, read only when a priority is given). Each
 * refusal names its field and says why.
 */
export async function checkTicketSettings(
  client: ConnectWiseClient,
  settings: EnabledTicketSettings,
  at = 'body',
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const add = (
    field: keyof EnabledTicketSettings | `priorityBySeverity.${Severity}`,
    message: string,
  ) => problems.push({ field: `${at}.${field}`, message });

  const chosenPriorities = SEVERITIES.flatMap((severity) => {
    const id = settings.priorityBySeverity?.[severity];
    return id === undefined ? [] : [{ severity, id }];
  });
  const [board, sources, priorities] = await Promise.all([
    boardOrUndefined(client, settings.boardId),
    listSources(client),
    chosenPriorities.length === 0 ? none() : listPriorities(client),
  ]);
  if (!sources.some((s) => s.id === settings.sourceId)) {
    add('sourceId', `ConnectWise has no ticket source ${settings.sourceId}`);
  }
  for (const { severity, id } of chosenPriorities) {
    if (!priorities?.some((p) => p.id === id)) {
      add(`priorityBySeverity.${severity}`, `ConnectWise has no ticket priority ${id}`);
    }
  }
  if (!board) {
    add('boardId', `ConnectWise has no service board ${settings.boardId}`);
    return problems;
  }
  const boardName = named('board', board);
  if (board.inactiveFlag === true) add('boardId', `${boardName} is inactive`);
  if (board.projectFlag === true) {
    add('boardId', `${boardName} is a project board; tickets need a service board`);
  }

  const statuses = await listBoardStatuses(client, board.id, { includeInactive: true });
  const checkStatus = (field: 'initialStatusId' | 'closingStatusId', closes: boolean) => {
    const status = statuses.find((s) => s.id === settings[field]);
    if (!status) {
      add(field, `status ${settings[field]} is not a status of ${boardName}`);
      return;
    }
    const statusName = named('status', status);
    if (status.inactive === true) add(field, `${statusName} is inactive`);
    if (closes && status.closedStatus !== true) {
      add(
        field,
        `${statusName} is not a closed status, so it cannot close a ticket; pick one marked closed`,
      );
    }
    if (!closes && status.closedStatus === true) {
      add(field, `${statusName} is a closed status; a new ticket needs an open one`);
    }
  };
  checkStatus('initialStatusId', false);
  checkStatus('closingStatusId', true);
  return problems;
}

export type AgreementChoice = BillingSettings['agreements'][number];

/**
 * The rules for billing: each customer is mapped to a ConnectWise company, and its agreement
 * belongs to that company and is one usage can be billed through (evaluateAgreement on `today`,
 * the MSP's billing day). The agreements are read with one `id in (…)` query.
 */
export async function checkBillingAgreements(
  client: ConnectWiseClient,
  choices: readonly AgreementChoice[],
  context: {
    knownCustomers: ReadonlySet<string>;
    mappings: readonly CompanyMapping[];
    today: string;
  },
  at = 'body.agreements',
): Promise<FieldProblem[]> {
  const mappingOf = new Map(context.mappings.map((m) => [m.customerId, m]));
  const agreements = await agreementsById(
    client,
    choices.map((c) => c.agreementId),
  );
  const problems: FieldProblem[] = [];
  choices.forEach((choice, i) => {
    const add = (field: keyof AgreementChoice, message: string) =>
      problems.push({ field: `${at}.${i}.${field}`, message });
    const mapping = mappingOf.get(choice.customerId);
    if (!context.knownCustomers.has(choice.customerId)) {
      add('customerId', `unknown customer ${choice.customerId}`);
    } else if (!mapping) {
      add(
        'customerId',
        `customer ${choice.customerId} is not mapped to a ConnectWise company; map it first`,
      );
    } else if (mapping.companyId === null) {
      add(
        'customerId',
        `customer ${choice.customerId} is excluded from the integration (mapped to no company)`,
      );
    }
    const agreement = agreements.get(choice.agreementId);
    if (!agreement) {
      add('agreementId', `ConnectWise has no agreement ${choice.agreementId}`);
      return;
    }
    const agreementName = named('agreement', agreement);
    const companyId = mapping?.companyId;
    if (companyId !== undefined && companyId !== null && agreement.company.id !== companyId) {
      const owner = agreement.company.name ?? agreement.company.identifier;
      const ownerText = owner
        ? `${owner} (${agreement.company.id})`
        : `company ${agreement.company.id}`;
      const mappedText = named('company', { id: companyId, name: mapping?.companyName });
      add(
        'agreementId',
        `${agreementName} belongs to ${ownerText}, not to ${mappedText}, the company customer ${choice.customerId} is mapped to`,
      );
      return;
    }
    const verdict = evaluateAgreement(agreement, context.today);
    if (!verdict.eligible) add('agreementId', `${agreementName} cannot be used: ${verdict.reason}`);
  });
  return problems;
}

/**
 * Billing settings being turned on, checked as a run would judge them: the agreement choices on
 * the MSP's billing day of `now` (the settings' time zone, else ConnectWise's server zone:
 * billingDayOf, as a run), and the catalog defaults.
 */
export async function checkBillingSettings(
  deps: { client: ConnectWiseClient; repos: Pick<Repositories, 'vendor' | 'companyMappings'> },
  settings: Pick<BillingSettings, 'agreements' | 'timeZone' | 'catalogDefaults'>,
  at: { partnerId: string; integrationId: string; now: Date },
): Promise<FieldProblem[]> {
  const { client, repos } = deps;
  const { agreements } = settings;
  const [knownCustomers, mappings, { today }] = await Promise.all([
    repos.vendor.existingCustomerIds(
      at.partnerId,
      agreements.map((a) => a.customerId),
    ),
    repos.companyMappings.list(at.partnerId, at.integrationId),
    billingDayOf(client, settings.timeZone ?? null, at.now),
  ]);
  const problems = await Promise.all([
    checkBillingAgreements(client, agreements, { knownCustomers, mappings, today }),
    checkCatalogDefaults(client, settings.catalogDefaults ?? {}),
  ]);
  return problems.flat();
}

type SetupRow = { id: number; name?: string | null; inactiveFlag?: boolean | null };

/**
 * The catalog defaults new catalog items get (docs/connectwise.md §5 CatalogItem): the category, the
 * subcategory and the type exist and are active, and the subcategory belongs to the category.
 * Only the tables an id is given for are read, each in one list.
 */
export async function checkCatalogDefaults(
  client: ConnectWiseClient,
  defaults: CatalogDefaults,
  at = 'body.catalogDefaults',
): Promise<FieldProblem[]> {
  const { categoryId, subcategoryId, typeId } = defaults;
  const [categories, subcategories, types] = await Promise.all([
    categoryId === undefined ? none() : listProductCategories(client),
    subcategoryId === undefined ? none() : listProductSubcategories(client),
    typeId === undefined ? none() : listProductTypes(client),
  ]);
  const problems: FieldProblem[] = [];
  const add = (field: keyof CatalogDefaults, message: string) =>
    problems.push({ field: `${at}.${field}`, message });
  /** The row with the id, or undefined with the problem added; inactive rows are refused too. */
  const find = <T extends SetupRow>(
    field: keyof CatalogDefaults,
    what: string,
    rows: readonly T[] | undefined,
    id: number | undefined,
  ): T | undefined => {
    const row = rows?.find((r) => r.id === id);
    if (!rows || id === undefined) return undefined;
    if (!row) add(field, `ConnectWise has no product ${what} ${id}`);
    else if (row.inactiveFlag === true) add(field, `${named(what, row)} is inactive`);
    return row;
  };
  const category = find('categoryId', 'category', categories, categoryId);
  const subcategory = find('subcategoryId', 'subcategory', subcategories, subcategoryId);
  find('typeId', 'type', types, typeId);
  const parentId = subcategory?.category.id ?? null;
  if (subcategory && category && parentId !== category.id) {
    const parent = categories?.find((c) => c.id === parentId);
    const parentText = parent
      ? named('category', parent)
      : parentId === null
        ? 'no category'
        : `category ${parentId}`;
    add(
      'subcategoryId',
      `${named('subcategory', subcategory)} belongs to ${parentText}, not to ${named('category', category)}`,
    );
  }
  return problems;
}
