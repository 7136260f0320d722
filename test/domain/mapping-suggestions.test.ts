import {
  companyNameSimilarity,
  createCompanySuggester,
  normalizeCompanyName,
  type CompanyCandidate,
} from '../../domain/mapping-suggestions';

const company = (id: number, name: string, deletedFlag = false): CompanyCandidate => ({
  id,
  identifier: `C${id}`,
  name,
  deletedFlag,
});

// The look-alikes of the simulator's demo tenant, plus unrelated names.
const companies = [
  company(250, 'Acme Corp'),
  company(251, 'ACME Corporation'),
  company(252, 'Acme Corp.'),
  company(253, 'Acme Corp', true),
  company(254, 'Globex Inc'),
  company(255, 'Initech'),
  company(256, 'Umbrella Health'),
  company(259, 'Hooli', true),
  company(261, 'Müller GmbH – Zürich'),
  company(263, 'Acme Plumbing & Heating LLC'),
];

describe('normalizeCompanyName', () => {
  test.each([
    ['Acme Corp', 'acme'],
    ['ACME Corporation', 'acme'],
    ['Acme Corp.', 'acme'],
    ['Acme, Inc.', 'acme'],
    ['Acme L.L.C.', 'acme'],
    ['Globex Pty Ltd', 'globex'],
    ["O'Brien & Sons", 'obrien and sons'],
    ['Müller GmbH – Zürich', 'muller zurich'],
    ['  Stark   Industries ', 'stark industries'],
  ])('%s → %s', (name, expected) => {
    expect(normalizeCompanyName(name)).toBe(expected);
  });

  test('a name made only of legal words keeps them', () => {
    expect(normalizeCompanyName('The Company, Inc.')).toBe('the');
    expect(normalizeCompanyName('Co. Ltd')).toBe('co ltd');
  });
});

describe('companyNameSimilarity', () => {
  test('look-alikes score 1, different companies low', () => {
    expect(companyNameSimilarity('Acme Corp', 'ACME Corporation')).toBe(1);
    expect(companyNameSimilarity('Acme Corp', 'Acme Corp.')).toBe(1);
    expect(companyNameSimilarity('Acme Corp', 'Initech')).toBeLessThan(0.2);
  });

  test('a longer name of the same company scores between', () => {
    const s = companyNameSimilarity('Globex', 'Globex Industries');
    expect(s).toBeGreaterThan(0.4);
    expect(s).toBeLessThan(1);
  });

  test('word order does not matter much', () => {
    expect(companyNameSimilarity('Health Umbrella', 'Umbrella Health')).toBeGreaterThan(0.8);
  });

  test('one-letter names match only themselves', () => {
    expect(companyNameSimilarity('X', 'x')).toBe(1);
    expect(companyNameSimilarity('X', 'Y')).toBe(0);
  });
});

describe('createCompanySuggester', () => {
  const suggest = createCompanySuggester(companies);

  test('ranks the look-alikes first, the exact spelling ahead, at most 3', () => {
    const got = suggest('Acme Corp');
    expect(got).toHaveLength(3);
    expect(got.map((s) => s.companyId)).toEqual([250, 252, 251]);
    expect(got.every((s) => s.score === 1)).toBe(true);
    expect(got[0]).toEqual({ companyId: 250, identifier: 'C250', name: 'Acme Corp', score: 1 });
  });

  test('never suggests a deleted company, even an exact match', () => {
    const all = createCompanySuggester(companies, { limit: 20, minScore: 0 });
    const ids = all('Acme Corp').map((s) => s.companyId);
    expect(ids).not.toContain(253);
    expect(all('Hooli').map((s) => s.companyId)).not.toContain(259);
    expect(suggest('Hooli')).toEqual([]);
  });

  test('finds a company by a differently written name', () => {
    expect(suggest('Globex Incorporated')[0]?.companyId).toBe(254);
    expect(suggest('Mueller Zurich')[0]?.companyId).toBe(261);
    expect(suggest('Umbrella Health Group')[0]?.companyId).toBe(256);
  });

  test('scores are ordered and respect the minimum', () => {
    const loose = createCompanySuggester(companies, { limit: 10, minScore: 0.3 });
    const got = loose('Acme Plumbing');
    const scores = got.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores.every((s) => s >= 0.3)).toBe(true);
    expect(got[0]?.companyId).toBe(263);
  });

  test('nothing similar gives no suggestion', () => {
    expect(suggest('Wayne Enterprises')).toEqual([]);
    expect(createCompanySuggester([])('Acme')).toEqual([]);
  });

  test('agrees with the pairwise similarity', () => {
    const loose = createCompanySuggester(companies, { limit: 20, minScore: 0 });
    for (const s of loose('Initech Systems')) {
      const c = companies.find((x) => x.id === s.companyId)!;
      expect(s.score).toBeCloseTo(companyNameSimilarity('Initech Systems', c.name), 2);
    }
  });
});
