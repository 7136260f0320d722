import { temporalUiLink } from '../../api/v1/temporal-ui';

describe("a run's Temporal UI link", () => {
  test('the workflow history page of that run, ids encoded', () => {
    expect(
      temporalUiLink(
        { url: 'https://temporal.example.com/ui/', namespace: 'prod ns' },
        'billing-run:i1:a.1',
        'r/1',
      ),
    ).toBe(
      'https://temporal.example.com/ui/namespaces/prod%20ns/workflows/billing-run%3Ai1%3Aa.1/r%2F1/history',
    );
  });

  test('null when TEMPORAL_UI_URL is unset', () => {
    expect(temporalUiLink({ url: undefined, namespace: 'default' }, 'w', 'r')).toBeNull();
  });
});
