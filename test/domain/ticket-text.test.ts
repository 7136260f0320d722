import fc from 'fast-check';
import { addOccurrence, afterFirst } from '../../domain/tickets/occurrences';
import {
  cutOnWord,
  externalXRefOf,
  integrationTag,
  legacyXRefOf,
  noteMarker,
  occurrencesNote,
  SUMMARY_MAX,
  ticketSummary,
} from '../../domain/tickets/text';
import { SEVERITIES } from '../../domain/tickets/settings';
import { ENGINE_KEY } from '../../connectwise';
import { EVENT_KEY } from '../../domain/tickets/event';

test('the summary names the severity, the event and the customer', () => {
  expect(ticketSummary({ severity: 'high', title: 'Phishing site blocked' }, 'Acme Corp')).toBe(
    'DefensX: High - Phishing site blocked (Acme Corp)',
  );
});

test('a long title is cut on a word, keeping the severity and the customer', () => {
  const title =
    'Credential harvesting page blocked after the user followed a link in an email from an unknown sender';
  const summary = ticketSummary({ severity: 'critical', title }, 'Initech');
  expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
  expect(summary).toMatch(/^DefensX: Critical - Credential harvesting .*[a-z]… \(Initech\)$/);
  expect(title.startsWith(summary.slice('DefensX: Critical - '.length, summary.indexOf('…')))).toBe(
    true,
  );
});

test('summaries never exceed 100 characters, whatever the title and customer', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SEVERITIES),
      fc.string({ minLength: 1, maxLength: 200 }),
      fc.string({ minLength: 1, maxLength: 200 }),
      (severity, title, customer) => {
        expect(ticketSummary({ severity, title }, customer).length).toBeLessThanOrEqual(
          SUMMARY_MAX,
        );
      },
    ),
  );
});

test('cutOnWord cuts a single long word where it must', () => {
  expect(cutOnWord('a'.repeat(50), 10)).toBe(`${'a'.repeat(9)}…`);
  expect(cutOnWord('short', 10)).toBe('short');
});

test('externalXRefs and note markers are engine keys, distinct per integration, generation and note', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(EVENT_KEY),
      fc.nat(1000),
      fc.nat(10_000),
      fc.uuid(),
      fc.uuid(),
      (key, generation, seq, integrationId, other) => {
        const xref = externalXRefOf({ integrationId, key, generation });
        expect(xref).toMatch(ENGINE_KEY);
        expect(xref.length).toBeLessThanOrEqual(100);
        expect(externalXRefOf({ integrationId, key, generation: generation + 1 })).not.toBe(xref);
        if (other !== integrationId)
          expect(externalXRefOf({ integrationId: other, key, generation })).not.toBe(xref);
        expect(xref).not.toBe(legacyXRefOf({ key, generation }));
        expect(noteMarker({ key, generation }, seq)).not.toBe(
          noteMarker({ key, generation }, seq + 1),
        );
      },
    ),
  );
  const integrationId = '3f1c2a9e-6b7d-4c1e-9a2b-5d6e7f8a9b0c';
  const tag = integrationTag(integrationId);
  expect(tag).toMatch(/^[0-9a-f]{10}$/);
  expect(externalXRefOf({ integrationId, key: 'evt-1', generation: 0 })).toBe(`dfx:${tag}:evt-1`);
  expect(externalXRefOf({ integrationId, key: 'evt-1', generation: 2 })).toBe(
    `dfx:${tag}:evt-1:r2`,
  );
  expect(legacyXRefOf({ key: 'evt-1', generation: 2 })).toBe('dfx:evt:evt-1:r2');
  expect(noteMarker({ key: 'evt-1', generation: 0 }, 3)).toBe('[dfx:evt:evt-1#3]');
});

test('occurrences gather into a batch with their earliest and latest times', () => {
  let batch = addOccurrence(null, '2026-12-03T10:05:00Z');
  batch = addOccurrence(batch, '2026-12-03T10:01:00Z');
  batch = addOccurrence(batch, '2026-12-03T10:09:00Z');
  expect(batch).toEqual({ count: 3, first: '2026-12-03T10:01:00Z', last: '2026-12-03T10:09:00Z' });
  expect(afterFirst(batch)).toEqual({ ...batch, count: 2 });
  expect(afterFirst({ ...batch, count: 1 })).toBeNull();
  expect(occurrencesNote(batch, '[m]')).toBe(
    'The event occurred 3 more times between 2026-12-03T10:01:00Z and 2026-12-03T10:09:00Z.\n[m]',
  );
  expect(occurrencesNote({ count: 1, first: 'T', last: 'T' }, '[m]')).toBe(
    'The event occurred again at T.\n[m]',
  );
});
