/** A ConnectWise field name, optionally nested with `/` (e.g. `company/id`). */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

export function assertFieldName(field: string): string {
  if (!FIELD_NAME.test(field)) {
    throw new TypeError(`"${field}" is not a ConnectWise field name`);
  }
  return field;
}
