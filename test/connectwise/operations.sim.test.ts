import * as cw from '../../connectwise';
import { useSimulator } from './sim-support';

const ctx = useSimulator();

describe('system and security', () => {
  it('discovers the codebase and reads /system/info', async () => {
    const client = await ctx.client();
    expect(client.codebase).toBe('v2025_1/');
    expect(client.companyInfo).toMatchObject({
      companyId: 'demomsp',
      isCloud: true,
      codebase: 'v2025_1/',
    });
    const info = await cw.getSystemInfo(client);
    expect(info).toMatchObject({
      isCloud: true,
      cloudRegion: 'NA',
      serverTimeZone: 'Eastern Standard Time',
    });
  });

  it('reads mySecurity and customize items, and the full role checks out', async () => {
    const client = await ctx.client();
    const rows = await cw.getMySecurity(client);
    const items = await cw.getMyCustomizeItems(client);
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expect(items.map((i) => i.customizeIdentifier)).toContain('SystemManageHostedApi');
    expect(cw.evaluateRole(rows, items).map((l) => l.status)).toEqual(Array(9).fill('ok'));
    const check = await cw.checkSecurityRole(client);
    expect(check.filter((l) => l.status !== 'ok')).toEqual([]);
  });

  it('names a revoked role line and a revoked customization', async () => {
    await ctx.sim.admin.security.revoke('Finance/Agreements');
    await ctx.sim.admin.security.revokeCustomizeItem('SystemManageHostedApi');
    const check = await cw.checkSecurityRole(await ctx.client());
    const byKey = Object.fromEntries(check.map((l) => [l.key, l]));
    expect(byKey['finance.agreements']?.status).toBe('missing');
    expect(byKey['finance.agreements']?.problems).toEqual([
      'Finance → Agreements: Add is None, needs All',
      'Finance → Agreements: Edit is None, needs All',
      'Finance → Agreements: Inquire is None, needs All',
      'Finance → Agreements: ConnectWise refused the read-only check /finance/agreements/count',
    ]);
    expect(byKey['system.tableSetup']?.status).toBe('missing');
    expect(byKey['system.tableSetup']?.problems.join()).toMatch(/Manage Hosted API/);
    expect(check.filter((l) => l.status === 'ok')).toHaveLength(7);
  });

  it('says when the member may not manage ticket callbacks', async () => {
    await ctx.sim.admin.security.revoke('System/TableSetup');
    const check = await cw.checkSecurityRole(await ctx.client());
    const tableSetup = check.find((l) => l.key === 'system.tableSetup');
    expect(tableSetup?.status).toBe('missing');
    expect(tableSetup?.problems).toContain(
      'System → Table Setup: ConnectWise refused the read-only check /system/callbacks?pageSize=1 (ticket callbacks cannot be managed: changes a technician makes reach the engine only by polling)',
    );
  });

  it('runs one read-only probe per probed line and never writes', async () => {
    const results = await cw.runRoleProbes(await ctx.client());
    expect(results.map((r) => `${r.probe.method} ${r.probe.path} ${r.outcome}`)).toEqual([
      'count /company/companies ok',
      'count /finance/agreements ok',
      'count /procurement/catalog ok',
      'count /project/tickets ok',
      'count /service/tickets ok',
      'firstPage /service/boards ok',
      'count /system/connectwisehostedsetups ok',
      'firstPage /system/callbacks ok',
    ]);
    const journal = await ctx.sim.admin.journal.list();
    expect(journal.every((e) => e.method === 'GET')).toBe(true);
    expect(journal.find((e) => e.path.endsWith('/service/boards'))?.query).toMatchObject({
      pageSize: '1',
    });
  });
});

describe('companies', () => {
  it('searches by name with paging, hiding deleted companies', async () => {
    const client = await ctx.client();
    const page = await cw.searchCompanies(client, { name: 'acme' });
    expect(page.items.map((c) => c.id).sort()).toEqual([250, 251, 252]);
    expect(page.hasMore).toBe(false);
    const withDeleted = await cw.searchCompanies(client, { name: 'acme', includeDeleted: true });
    expect(withDeleted.items.map((c) => c.id)).toContain(253);
    const first = await cw.searchCompanies(client, { pageSize: 2 });
    expect(first).toMatchObject({ hasMore: true });
    expect(first.items).toHaveLength(2);
  });

  it('finds names with quotes and backslashes through the escaping', async () => {
    const client = await ctx.client();
    const quoted = await cw.searchCompanies(client, { name: '"Plumbing"' });
    expect(quoted.items.map((c) => c.id)).toEqual([260]);
    const backslash = await cw.searchCompanies(client, { name: 'off\\' });
    expect(backslash.items.map((c) => c.id)).toEqual([260]);
    const unicode = await cw.searchCompanies(client, { name: 'Müller GmbH – Zürich' });
    expect(unicode.items.map((c) => c.id)).toEqual([261]);
    const injection = await cw.searchCompanies(client, { name: 'x" or id>0 or name like "' });
    expect(injection.items).toEqual([]);
  });

  it('matches SQL Server like wildcards in the search text literally', async () => {
    const client = await ctx.client();
    const percent = await cw.searchCompanies(client, { name: '50% off' });
    expect(percent.items.map((c) => c.id)).toEqual([260]);
    // Unescaped, "%" alone would match every name and "_" any character.
    expect((await cw.searchCompanies(client, { name: '%' })).items.map((c) => c.id)).toEqual([260]);
    expect((await cw.searchCompanies(client, { name: 'Acme_Corp' })).items).toEqual([]);
    expect((await cw.searchCompanies(client, { name: '[A]cme' })).items).toEqual([]);
  });

  it('gets one company and lists them all', async () => {
    const client = await ctx.client();
    expect(await cw.getCompany(client, 250)).toMatchObject({
      id: 250,
      identifier: 'AcmeCorp',
      name: 'Acme Corp',
    });
    const all = await cw.listAllCompanies(client);
    expect(all.some((c) => c.deletedFlag === true)).toBe(false);
    expect(all.length).toBe(
      await client.count('/company/companies', { conditions: cw.cond.eq('deletedFlag', false) }),
    );
  });
});

describe('agreements and additions', () => {
  it('lists agreements by company with their eligibility, and types', async () => {
    const client = await ctx.client();
    const agreements = await cw.listAgreementsByCompany(client, 250);
    expect(agreements.length).toBeGreaterThan(0);
    expect(agreements.every((a) => a.company.id === 250 && a.cancelledFlag !== true)).toBe(true);
    const verdicts = agreements.map((a) => cw.evaluateAgreement(a, '2025-11-01'));
    expect(verdicts.some((v) => v.eligible)).toBe(true);
    const first = agreements[0] as cw.Agreement;
    expect(await cw.getAgreement(client, first.id)).toMatchObject({
      id: first.id,
      name: first.name,
    });
    const types = await cw.listAgreementTypes(client);
    expect(types.length).toBeGreaterThan(0);
  });

  it('creates, finds, patches and cancels an addition', async () => {
    const client = await ctx.client();
    const agreement = (await cw.listAgreementsByCompany(client, 250)).find(
      (a) => cw.evaluateAgreement(a, '2025-11-01').eligible,
    );
    if (!agreement) throw new Error('seed has no eligible agreement for company 250');
    const before = await cw.countAdditions(client, agreement.id);
    const created = await cw.createAddition(client, agreement.id, {
      product: { id: 1351 },
      quantity: 24,
      billCustomer: 'Billable',
      effectiveDate: new Date('2025-11-01T00:00:00.000Z'),
      taxableFlag: true,
    });
    expect(created).toMatchObject({
      quantity: 24,
      product: { id: 1351 },
      effectiveDate: '2025-11-01T00:00:00Z',
    });
    expect(await cw.countAdditions(client, agreement.id)).toBe(before + 1);

    const open = await cw.findOpenAdditionsForProduct(
      client,
      agreement.id,
      1351,
      new Date('2025-11-15T00:00:00Z'),
    );
    expect(open.map((a) => a.id)).toContain(created.id);

    const patched = await cw.patchAddition(client, agreement.id, created.id, [
      cw.replace('quantity', 42),
    ]);
    expect(patched.quantity).toBe(42);
    await cw.patchAddition(client, agreement.id, created.id, [
      cw.replace('cancelledDate', new Date('2025-11-30T00:00:00Z')),
    ]);
    const afterCancel = await cw.findOpenAdditionsForProduct(
      client,
      agreement.id,
      1351,
      new Date('2025-12-01T00:00:00Z'),
    );
    expect(afterCancel.map((a) => a.id)).not.toContain(created.id);
    const stored = (await ctx.sim.admin.state.additions(agreement.id)).find(
      (a) => a.id === created.id,
    );
    expect(stored).toMatchObject({ quantity: 42, cancelledDate: '2025-11-30T00:00:00Z' });
    expect((await cw.listAdditions(client, agreement.id)).map((a) => a.id)).toContain(created.id);

    const journal = await ctx.sim.admin.journal.list();
    expect(journal.some((e) => e.method === 'PUT')).toBe(false);
  });
});

describe('catalog', () => {
  it('finds items by identifier and by integrationXRef', async () => {
    const client = await ctx.client();
    expect(
      (await cw.findCatalogItemsByIdentifier(client, 'DFX-BROWSER-SEC')).map((i) => i.id),
    ).toEqual([1350]);
    expect(
      (await cw.findCatalogItemsByIntegrationXRef(client, 'dfx:browser-security')).map((i) => i.id),
    ).toEqual([1350]);
    expect(await cw.findCatalogItemsByIdentifier(client, 'NOPE')).toEqual([]);
    expect(await cw.getCatalogItem(client, 1350)).toMatchObject({ identifier: 'DFX-BROWSER-SEC' });
  });

  it('finds items by many xrefs and identifiers in one read pass', async () => {
    const client = await ctx.client();
    const found = await cw.findCatalogItemsByKeys(client, {
      integrationXRefs: ['dfx:browser-security', 'dfx:nothing'],
      // Identifiers match as ConnectWise compares them: case-insensitively.
      identifiers: ['m365-bp', 'AV-LEGACY', 'NOPE'],
    });
    expect(found.map((i) => i.id)).toEqual([1350, 1352, 1353]);
    expect(await ctx.sim.admin.journal.counts()).toMatchObject({ 'GET /procurement/catalog': 1 });
  });

  it('splits a long list of keys so each URL stays short', async () => {
    const client = await ctx.client();
    const many = Array.from({ length: cw.CATALOG_KEYS_PER_QUERY * 2 + 1 }, (_, i) => `K-${i}`);
    await ctx.sim.admin.journal.clear();
    const found = await cw.findCatalogItemsByKeys(client, {
      integrationXRefs: ['dfx:browser-security'],
      identifiers: [...many, 'DFX-SECURE-DNS'],
    });
    expect(found.map((i) => i.id)).toEqual([1350, 1351]);
    const reads = (await ctx.sim.admin.journal.list()).filter(
      (e) => e.template === '/procurement/catalog',
    );
    expect(reads).toHaveLength(3);
    expect(reads.every((e) => (e.query.conditions ?? '').length < 1_500)).toBe(true);
  });

  it('refuses a key outside the engine alphabet before sending', async () => {
    const client = await ctx.client();
    await expect(
      cw.findCatalogItemsByKeys(client, { integrationXRefs: ['a" or id>0'], identifiers: [] }),
    ).rejects.toMatchObject({ code: 'InvalidRequest' });
  });

  it('reads catalog items by id in one request', async () => {
    const found = await cw.catalogItemsById(await ctx.client(), [1353, 1350, 999_999]);
    expect([...found.keys()].sort()).toEqual([1350, 1353]);
  });

  it('creates and patches an item, and reads categories, subcategories and types', async () => {
    const client = await ctx.client();
    const categories = await cw.listProductCategories(client);
    const category = categories[0] as cw.ProductCategory;
    const subcategories = await cw.listProductSubcategories(client, { categoryId: category.id });
    expect(subcategories.every((s) => s.category.id === category.id)).toBe(true);
    expect((await cw.listProductSubcategories(client)).length).toBeGreaterThanOrEqual(
      subcategories.length,
    );
    const types = await cw.listProductTypes(client);
    const sub = subcategories[0];
    if (!sub) throw new Error('seed has no subcategory in the first category');
    const created = await cw.createCatalogItem(client, {
      identifier: 'DFX-NEW-PRODUCT',
      description: 'DefensX New Product',
      customerDescription: 'DefensX New Product',
      subcategory: { id: sub.id },
      type: { id: (types[0] as cw.ProductType).id },
      productClass: 'NonInventory',
      price: 3,
      cost: 1,
      integrationXRef: 'dfx:new-product',
    });
    expect(created).toMatchObject({
      identifier: 'DFX-NEW-PRODUCT',
      integrationXRef: 'dfx:new-product',
    });
    const patched = await cw.patchCatalogItem(client, created.id, [
      cw.replace('price', 3.5),
      cw.replace('description', 'Renamed'),
    ]);
    expect(patched).toMatchObject({ price: 3.5, description: 'Renamed' });
  });
});

describe('service setup', () => {
  it('lists ticket boards, their statuses, sources and priorities', async () => {
    const client = await ctx.client();
    const boards = await cw.listBoards(client);
    expect(boards.map((b) => b.id)).toEqual([1, 2]);
    expect(
      (await cw.listBoards(client, { includeInactive: true, includeProjectBoards: true })).map(
        (b) => b.id,
      ),
    ).toEqual([1, 2, 3, 4]);
    expect(await cw.getBoard(client, 2)).toMatchObject({ name: 'Security Alerts' });
    const statuses = await cw.listBoardStatuses(client, 1);
    expect(statuses.map((s) => s.id)).toEqual([101, 102, 103, 104, 105]);
    expect(statuses.filter((s) => s.closedStatus === true).map((s) => s.id)).toEqual([104, 105]);
    expect(
      (await cw.listBoardStatuses(client, 1, { includeInactive: true })).map((s) => s.id),
    ).toContain(106);
    expect((await cw.listSources(client)).map((s) => s.name)).toContain('Integration');
    expect((await cw.listPriorities(client)).find((p) => p.defaultFlag === true)?.level).toBe(
      'Medium',
    );
  });
});

describe('tickets and notes', () => {
  it('finds by externalXRef, creates, notes and closes a ticket', async () => {
    const client = await ctx.client();
    expect(
      (await cw.findTicketsByExternalXRef(client, 'dfx:evt:seed0001')).map((t) => t.id),
    ).toEqual([9002]);
    expect(await cw.getTicket(client, 9002)).toMatchObject({
      externalXRef: 'dfx:evt:seed0001',
      board: { id: 2 },
    });

    const ticket = await cw.createTicket(client, {
      summary: 'DefensX: Phishing page blocked',
      company: { id: 250 },
      board: { id: 2 },
      status: { id: 201 },
      source: { id: 4 },
      externalXRef: 'dfx:evt:abc123',
      initialDescription: 'Blocked https://phish.example on WS-7.\n[dfx:evt:abc123]',
      processNotifications: false,
    });
    expect(ticket).toMatchObject({ summary: 'DefensX: Phishing page blocked', closedFlag: false });
    expect(ticket).not.toHaveProperty('initialDescription');
    expect((await cw.findTicketsByExternalXRef(client, 'dfx:evt:abc123')).map((t) => t.id)).toEqual(
      [ticket.id],
    );

    const note = await cw.createTicketNote(client, ticket.id, {
      text: 'Seen again.\n[dfx:evt:abc123]',
      internalAnalysisFlag: true,
    });
    expect(note).toMatchObject({ ticketId: ticket.id, internalAnalysisFlag: true });
    const notes = await cw.listTicketNotes(client, ticket.id);
    expect(notes.map((n) => n.id)).toContain(note.id);
    const marked = await cw.listTicketNotes(client, ticket.id, {
      conditions: cw.cond.like('text', { contains: '[dfx:evt:abc123]' }),
    });
    expect(marked.length).toBeGreaterThanOrEqual(1);

    const closed = await cw.patchTicket(client, ticket.id, [cw.replace('status', { id: 203 })]);
    expect(closed).toMatchObject({ status: { id: 203 }, closedFlag: true });
  });
});

describe('hosted tab', () => {
  it('lists screens, and installs, updates and removes our setup', async () => {
    const client = await ctx.client();
    const screens = await cw.listHostedScreens(client);
    const company = screens.find((s) => s.screenId === 'company') as cw.HostedScreen;
    expect(company).toBeDefined();
    const created = await cw.createHostedSetup(client, {
      screenId: company.id,
      description: 'DefensX',
      url: 'https://console.example/cw?id=[cw_id]&screen=[cw_screen]',
      origin: 'https://console.example',
      type: 'Tab',
    });
    expect(created).toMatchObject({ description: 'DefensX', type: 'Tab', screenId: company.id });
    expect(
      (await cw.listHostedSetups(client, { description: 'DefensX' })).map((s) => s.id),
    ).toEqual([created.id]);
    const patched = await cw.patchHostedSetup(client, created.id, [
      cw.replace('url', 'https://console.example/cw2?id=[cw_id]'),
    ]);
    expect(patched.url).toBe('https://console.example/cw2?id=[cw_id]');
    expect(await cw.getHostedSetup(client, created.id)).toMatchObject({ url: patched.url });
    await cw.deleteHostedSetup(client, created.id);
    expect(await cw.listHostedSetups(client, { description: 'DefensX' })).toEqual([]);
    expect((await cw.listHostedSetups(client)).length).toBe(1);
  });
});

describe('project tickets', () => {
  it('counts them (the Inquire probe)', async () => {
    expect(await cw.countProjectTickets(await ctx.client())).toBe(2);
  });
});
