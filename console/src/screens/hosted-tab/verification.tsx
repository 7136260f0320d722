import type { paths } from '../../api/schema';
import { TableWrap } from '../../components/table-wrap';

type Verified =
  paths['/partners/{partnerId}/connectwise/hosted-tab']['get']['responses'][200]['content']['application/json'];
type Check = Verified['checks'][number];

/** Each check of the verification in the console's words (the engine's message beside it). */
const CHECK_LABELS: Record<Check['name'], string> = {
  exists: 'Exists in ConnectWise',
  screen: 'On the Company screen',
  type: 'Shown as a tab',
  enabled: 'Enabled',
  url: 'URL (the engine\u2019s address, current install token)',
  origin: 'Origin (the engine\u2019s)',
};

/** The verification: a summary, each check ok or its problem, and the setup as ConnectWise holds it. */
export function Verification({ data }: { data: Verified }) {
  const summary = !data.installed
    ? { badge: 'badge-muted', text: 'Not installed' }
    : data.ok
      ? { badge: 'badge-ok', text: 'Installed, every check ok' }
      : { badge: 'badge-bad', text: 'Installed, needs repair' };
  return (
    <>
      <p className="hosted-summary">
        <span className={`badge ${summary.badge}`}>{summary.text}</span>
      </p>
      <TableWrap label="Verification of the DefensX tab">
        <table className="hosted-checks">
          <caption>Verification of the DefensX tab in ConnectWise</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {data.checks.map((c) => (
              <tr key={c.name}>
                <th scope="row">{CHECK_LABELS[c.name]}</th>
                <td>
                  <span className={`badge ${c.ok ? 'badge-ok' : 'badge-bad'}`}>
                    {c.ok ? 'ok' : 'problem'}
                  </span>
                </td>
                <td>
                  {c.message}
                  {c.expected !== undefined ? (
                    <dl className="hosted-diff">
                      <dt>Expected</dt>
                      <dd>
                        <code>{c.expected}</code>
                      </dd>
                      <dt>In ConnectWise</dt>
                      <dd>{c.actual ? <code>{c.actual}</code> : 'none'}</dd>
                    </dl>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {data.setup ? (
        <dl className="hosted-setup">
          <dt>Hosted setup</dt>
          <dd>
            {data.setup.description} (id {data.setup.id})
          </dd>
          <dt>Tab URL</dt>
          <dd>
            <code>{data.setup.url}</code>
            <span className="hint"> (the install token is hidden)</span>
          </dd>
          <dt>Origin</dt>
          <dd>{data.setup.origin ? <code>{data.setup.origin}</code> : 'none'}</dd>
        </dl>
      ) : null}
    </>
  );
}
