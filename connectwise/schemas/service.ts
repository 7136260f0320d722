import { z } from 'zod';
import {
  id,
  identifierReference,
  maxText,
  nullableBool,
  optionalString,
  reference,
  referenceInput,
} from './common';

export const boardSchema = z.looseObject({
  id,
  name: z.string(),
  inactiveFlag: nullableBool,
  projectFlag: nullableBool,
});
export type Board = z.infer<typeof boardSchema>;

/** Note the spellings: `inactive` (not inactiveFlag) and `closedStatus` (docs/connectwise.md §5). */
export const boardStatusSchema = z.looseObject({
  id,
  name: z.string(),
  board: reference.optional(),
  sortOrder: z.number().int().nullable().optional(),
  inactive: nullableBool,
  closedStatus: nullableBool,
  defaultFlag: nullableBool,
  escalationStatus: z
    .enum(['NotResponded', 'Responded', 'ResolutionPlan', 'Resolved', 'NoEscalation'])
    .nullable()
    .optional(),
});
export type BoardStatus = z.infer<typeof boardStatusSchema>;

export const sourceSchema = z.looseObject({
  id,
  name: z.string(),
  defaultFlag: nullableBool,
});
export type Source = z.infer<typeof sourceSchema>;

export const prioritySchema = z.looseObject({
  id,
  name: z.string(),
  sortOrder: z.number().int().nullable().optional(),
  defaultFlag: nullableBool,
  level: z.enum(['Critical', 'High', 'Medium', 'Low']).nullable().optional(),
});
export type Priority = z.infer<typeof prioritySchema>;

const impact = z.enum(['Low', 'Medium', 'High']).nullable().optional();

/** `initialDescription` is POST-only and never comes back, so it is not read here. */
export const ticketSchema = z.looseObject({
  id,
  summary: z.string(),
  recordType: z.enum(['ProjectIssue', 'ProjectTicket', 'ServiceTicket']).nullable().optional(),
  board: reference.optional(),
  status: reference.optional(),
  company: identifierReference,
  source: reference.optional(),
  priority: reference.optional(),
  agreement: reference.optional(),
  externalXRef: optionalString,
  severity: impact,
  impact,
  closedFlag: nullableBool,
  closedDate: optionalString,
});
export type Ticket = z.infer<typeof ticketSchema>;

/** What the engine reads back of its tickets: where they stand and who last changed them. */
export const ticketStateReadSchema = z.looseObject({
  id,
  board: reference.optional(),
  status: reference.optional(),
  priority: reference.optional(),
  owner: z
    .looseObject({ id: z.number().int().optional(), identifier: z.string(), name: optionalString })
    .nullable()
    .optional(),
  closedFlag: nullableBool,
  closedDate: optionalString,
  closedBy: optionalString,
  _info: z
    .looseObject({ lastUpdated: optionalString, updatedBy: optionalString })
    .nullable()
    .optional(),
});
export type TicketStateRead = z.infer<typeof ticketStateReadSchema>;

export const serviceNoteSchema = z.looseObject({
  id,
  ticketId: id.nullable().optional(),
  text: optionalString,
  detailDescriptionFlag: nullableBool,
  internalAnalysisFlag: nullableBool,
  resolutionFlag: nullableBool,
  dateCreated: optionalString,
  createdBy: optionalString,
});
export type ServiceNote = z.infer<typeof serviceNoteSchema>;

/** summary ≤ 100 is enforced here; shortening it is the caller's decision (docs/connectwise.md §5). */
export const newTicketSchema = z.strictObject({
  summary: maxText(100).min(1),
  company: referenceInput,
  board: referenceInput.optional(),
  status: referenceInput.optional(),
  source: referenceInput.optional(),
  priority: referenceInput.optional(),
  agreement: referenceInput.optional(),
  contact: referenceInput.optional(),
  externalXRef: maxText(100).optional(),
  severity: z.enum(['Low', 'Medium', 'High']).optional(),
  impact: z.enum(['Low', 'Medium', 'High']).optional(),
  initialDescription: z.string().optional(),
  initialInternalAnalysis: z.string().optional(),
  processNotifications: z.boolean().optional(),
});
export type NewTicket = z.input<typeof newTicketSchema>;

const NOTE_FLAGS = ['detailDescriptionFlag', 'internalAnalysisFlag', 'resolutionFlag'] as const;

/** Exactly one of the three note flags is set (docs/connectwise.md §5, verify). */
export const newServiceNoteSchema = z
  .strictObject({
    text: z.string().min(1),
    detailDescriptionFlag: z.boolean().optional(),
    internalAnalysisFlag: z.boolean().optional(),
    resolutionFlag: z.boolean().optional(),
    processNotifications: z.boolean().optional(),
  })
  .refine((n) => NOTE_FLAGS.filter((f) => n[f] === true).length === 1, {
    message: 'set exactly one of detailDescriptionFlag, internalAnalysisFlag, resolutionFlag',
  });
export type NewServiceNote = z.input<typeof newServiceNoteSchema>;
