import { Field, SelectField, TextField } from '../../components/ui';
import { ON_PREMISE, SERVER_OPTIONS, type Integration, type Values } from './values';

/** The credentials' inputs: server (or on-premise base URL), Company ID, public and private key. */
export function CredentialFields({
  values,
  set,
  error,
  editing,
  current,
}: {
  values: Values;
  set: (k: keyof Values) => (v: string) => void;
  error: unknown;
  editing: boolean;
  current: Integration | undefined;
}) {
  return (
    <>
      <SelectField
        label="ConnectWise server"
        field="body.site"
        error={values.server === ON_PREMISE ? undefined : error}
        value={values.server}
        empty="Choose your cloud region or On-Premise"
        options={SERVER_OPTIONS}
        onValue={set('server')}
        hint="The region you sign in to ConnectWise PSA in, or On-Premise for your own server."
        required
      />
      {values.server === ON_PREMISE ? (
        <TextField
          label="Base URL"
          field="body.site"
          error={error}
          value={values.baseUrl}
          onValue={set('baseUrl')}
          type="url"
          inputMode="url"
          placeholder="https://connectwise.example.com"
          hint="The address of your ConnectWise server (https)."
          autoComplete="url"
          required
        />
      ) : null}
      <TextField
        label="Company ID"
        field="body.companyId"
        error={error}
        value={values.companyId}
        onValue={set('companyId')}
        hint="The company name you type at the ConnectWise login."
        autoComplete="organization"
        required
      />
      <TextField
        label="Public Key"
        field="body.publicKey"
        error={error}
        value={values.publicKey}
        onValue={set('publicKey')}
        autoComplete="off"
        spellCheck={false}
        hint={
          editing ? `Leave blank to keep ${current?.publicKey ?? 'the stored key'}.` : undefined
        }
        required={!editing}
      />
      <Field
        label="Private Key"
        field="body.privateKey"
        error={error}
        hint={
          editing
            ? 'Write-only: never shown back. Enter it again when changing the server, Company ID or public key.'
            : 'Write-only: stored encrypted and never shown back.'
        }
      >
        {(ids) => (
          <input
            {...ids}
            type="password"
            value={values.privateKey}
            onChange={(e) => set('privateKey')(e.target.value)}
            autoComplete="new-password"
            spellCheck={false}
            required={!editing}
          />
        )}
      </Field>
    </>
  );
}
