/** A refused input value, named by its path in the request (`body.mappings.3.companyId`). */
export interface FieldProblem {
  field: string;
  message: string;
}
