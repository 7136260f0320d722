import {
  evaluate,
  parseConditions,
  ConditionsSyntaxError,
  tokenize,
} from '../../simulator/conditions';
import { qs, startDemo, type Cw } from './helpers';

const rec = {
  id: 7,
  name: `O'Brien & Sons "Plumbing" 50% off\\`,
  city: 'Zürich',
  count: 3,
  active: true,
  when: '2025-06-01T00:00:00Z',
  company: { id: 250, name: 'Acme Corp' },
  types: [{ id: 1, name: 'Client' }],
};

const match = (expr: string) => evaluate(parseConditions(expr), rec);

describe('conditions parser', () => {
  it.each([
    ['id = 7', true],
    ['id != 7', false],
    ['count < 4 and count <= 3 and count > 2 and count >= 3', true],
    ['company/id = 250', true],
    ['company/name = "acme corp"', true],
    ['types/name = "Client"', true],
    [`name like "O'Brien%"`, true],
    [`name = "O'Brien & Sons \\"Plumbing\\" 50% off\\\\"`, true],
    [`name = 'O\\'Brien & Sons "Plumbing" 50% off\\\\'`, true],
    ['name like "%50\\% off%"', true],
    ['name contains "plumbing"', true],
    ['name not contains "plumbing"', false],
    ['name not like "X%"', true],
    ['city = "ZÜRICH"', true],
    ['city like "Z%rich"', true],
    ['id in (1, 7, 9)', true],
    ['id not in (1, 9)', true],
    ['company/name in ("Globex", "Acme Corp")', true],
    ['when > [2025-01-01T00:00:00Z] and when < [2025-12-31T23:59:59Z]', true],
    ['when = [2025-06-01T00:00:00Z]', true],
    ['active = true and missing = null', true],
    ['missing != null', false],
    ['missing = "x" or id = 7', true],
    ['id = 1 or id = 2 and id = 7', false],
    ['(id = 1 or id = 7) and count = 3', true],
    ['id = 1 or (id = 7 and count = 3)', true],
    ['NOT_A_FIELD = null', true],
    ['id = 7 AND active = TRUE', true],
    ['count = -3 or count = 3.0', true],
  ])('%s → %s', (expr, expected) => {
    expect(match(expr)).toBe(expected);
  });

  it('keeps unicode and escapes inside string literals', () => {
    const tokens = tokenize(`a = "日本 \\"q\\" \\\\ ok"`);
    expect(tokens[2]).toMatchObject({ t: 'lit', v: { type: 'string', value: '日本 "q" \\ ok' } });
  });

  it.each([
    'name = "unterminated',
    "name = 'x' and",
    'name',
    '= 5',
    'id = 7)',
    '(id = 7',
    'id in 1, 2',
    'id in (1 2)',
    'id == 7',
    'id ! 7',
    'name like 5',
    'when > [not-a-date]',
    'when > [2025-01-01',
    'id = 7 && id = 8',
    '',
    'name = "x\\',
    // SQL's doubled quote is not an escape here: two adjacent literals (verify against CW).
    "name like 'O''%'",
  ])('rejects %j', (expr) => {
    expect(() => parseConditions(expr)).toThrow(ConditionsSyntaxError);
  });
});

describe('conditions over HTTP', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterAll(() => cw.sim.close());

  const names = async (conditions: string) => {
    const res = await cw.get<{ name: string }[]>(
      `/company/companies${qs({ conditions, pageSize: 1000 })}`,
    );
    expect(res.status).toBe(200);
    return res.body.map((c) => c.name);
  };

  it('tells look-alike companies apart and filters out deleted ones', async () => {
    expect(await names('name = "Acme Corp"')).toEqual(['Acme Corp', 'Acme Corp']);
    expect(await names('name = "Acme Corp" and deletedFlag = false')).toEqual(['Acme Corp']);
    expect((await names('name like "acme%"')).sort()).toEqual([
      'ACME Corporation',
      'Acme Corp',
      'Acme Corp',
      'Acme Corp.',
    ]);
  });

  it('matches hostile literals exactly', async () => {
    expect(await names(`name = "O'Brien & Sons \\"Plumbing\\" 50% off\\\\"`)).toEqual([
      `O'Brien & Sons "Plumbing" 50% off\\`,
    ]);
    expect(await names('name = "Müller GmbH – Zürich"')).toEqual(['Müller GmbH – Zürich']);
    expect(await names('name contains "+"')).toEqual([]);
  });

  it('filters on nested fields and date-times', async () => {
    const res = await cw.get<{ id: number }[]>(
      `/finance/agreements${qs({ conditions: 'company/id=250 and cancelledFlag=false and startDate >= [2024-01-01T00:00:00Z]' })}`,
    );
    expect(res.body.map((a) => a.id)).toEqual([300, 301]);
  });

  it('answers a malformed expression or an unknown field with a 400 in CW shape', async () => {
    for (const conditions of ['name = "x', 'nosuchfield = 1', 'id in (1,']) {
      const res = await cw.get<{ code: string; message: string }>(
        `/company/companies${qs({ conditions })}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BadRequest');
      expect(res.body.message).toMatch(/conditions/);
    }
  });
});
