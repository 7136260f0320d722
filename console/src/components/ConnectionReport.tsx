import { useEffect, useRef } from 'react';
import type { paths } from '../api/schema';
import './connection-report.css';
import { TableWrap } from './table-wrap';
import { When } from './ui';

/** Test Connection's answer (services/connection-report.ts), as the API declares it. */
export type ConnectionReport =
  paths['/partners/{partnerId}/connectwise/test-connection']['post']['responses'][200]['content']['application/json'];
type RoleLine = ConnectionReport['role'][number];
type Levels = RoleLine['required'];

const OPERATIONS = [
  ['add', 'Add'],
  ['edit', 'Edit'],
  ['delete', 'Delete'],
  ['inquire', 'Inquire'],
] as const;

function levelsText(levels: Levels | undefined): string {
  if (!levels) return 'could not be read';
  return OPERATIONS.map(([op, word]) => `${word} ${levels[op]}`).join(', ');
}

function Result({ ok, text }: { ok: boolean | 'unknown'; text: string }) {
  const kind = ok === 'unknown' ? 'badge-muted' : ok ? 'badge-ok' : 'badge-bad';
  return <span className={`badge ${kind}`}>{text}</span>;
}

/** The 422 bodies of Create, Edit and Validate again carry the failing report. */
export function reportOf(body: unknown): ConnectionReport | undefined {
  const report = (body as { error?: { report?: unknown } } | undefined)?.error?.report;
  return report && typeof report === 'object' ? (report as ConnectionReport) : undefined;
}

/**
 * The report of a Test Connection, in its own words: the verdict, the site, company and keys
 * checks, and one row per line of the required security role (required vs granted, ok or what is
 * missing).
 */
export function ConnectionReportView({ report }: { report: ConnectionReport }) {
  const roleProblems = new Set(report.role.flatMap((line) => line.problems));
  const otherProblems = report.problems.filter((p) => !roleProblems.has(p));
  const missing = report.role.filter((line) => line.status !== 'ok').length;
  // The verdict first: once the dialog has opened (and focused its first button, at the bottom),
  // focus moves to the verdict so it is what is seen and read out.
  const verdict = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    const frame = requestAnimationFrame(() => verdict.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [report]);
  return (
    <div className="connection-report">
      <p
        className={`banner ${report.ok ? 'banner-ok' : 'banner-error'}`}
        data-testid="report-verdict"
        ref={verdict}
        tabIndex={-1}
      >
        {report.ok
          ? 'Test Connection passed: the server, company, keys and every permission are as required.'
          : `Test Connection did not pass: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}${missing ? `, ${missing} role line${missing === 1 ? '' : 's'} not as required` : ''}.`}{' '}
        <span className="report-when">
          Tested <When at={report.testedAt} />.
        </span>
      </p>
      {otherProblems.length > 0 ? (
        <ul className="report-problems">
          {otherProblems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <h3>Checks</h3>
      <TableWrap label="Connection checks">
        <table>
          <caption className="visually-hidden">Connection checks</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">ConnectWise server</th>
              <td>
                <Result
                  ok={report.site.reachable}
                  text={report.site.reachable ? 'ok' : 'not reached'}
                />
              </td>
              <td>
                {report.site.value}
                {report.site.apiOrigin && report.site.apiOrigin !== report.site.value
                  ? ` (API ${report.site.apiOrigin})`
                  : ''}
              </td>
            </tr>
            <tr>
              <th scope="row">Company</th>
              <td>
                <Result
                  ok={report.company.found ? true : report.site.reachable ? false : 'unknown'}
                  text={
                    report.company.found
                      ? 'ok'
                      : report.site.reachable
                        ? 'not found'
                        : 'not checked'
                  }
                />
              </td>
              <td>
                {report.company.companyId}
                {report.company.name ? ` (${report.company.name})` : ''}
                {report.company.versionNumber ? `, ${report.company.versionNumber}` : ''}
                {report.company.isCloud === true
                  ? ', cloud'
                  : report.company.isCloud === false
                    ? ', on-premise'
                    : ''}
              </td>
            </tr>
            <tr>
              <th scope="row">Public and private key</th>
              <td>
                <Result
                  ok={report.authenticated ? true : report.company.found ? false : 'unknown'}
                  text={
                    report.authenticated
                      ? 'ok'
                      : report.company.found
                        ? 'not accepted'
                        : 'not checked'
                  }
                />
              </td>
              <td>
                {report.server?.version ? `ConnectWise ${report.server.version}` : ''}
                {report.server?.cloudRegion ? `, region ${report.server.cloudRegion}` : ''}
              </td>
            </tr>
          </tbody>
        </table>
      </TableWrap>
      <h3>Security role</h3>
      {report.role.length === 0 ? (
        <p className="hint">Not checked: the permissions are read once the keys are accepted.</p>
      ) : (
        <TableWrap label="Security role permissions">
          <table className="role-table">
            <caption className="visually-hidden">
              Permissions of the API member's security role
            </caption>
            <thead>
              <tr>
                <th scope="col">Role line</th>
                <th scope="col">Required</th>
                <th scope="col">Granted</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {report.role.map((line) => (
                <tr key={line.key} data-line={line.key}>
                  <th scope="row">{line.label}</th>
                  <td>{levelsText(line.required)}</td>
                  <td>{levelsText(line.granted)}</td>
                  <td>
                    {line.status === 'ok' ? (
                      <Result ok text="ok" />
                    ) : (
                      <>
                        <Result
                          ok={line.status === 'unverified' ? 'unknown' : false}
                          text={line.status}
                        />
                        {line.problems.length > 0 ? (
                          <ul className="line-problems">
                            {line.problems.map((p) => (
                              <li key={p}>{p}</li>
                            ))}
                          </ul>
                        ) : null}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </div>
  );
}
