import { z } from 'zod';
import { id, maxText, nullableBool, optionalString } from './common';

export const HOSTED_SETUP_TYPES = ['Tab', 'Pod', 'ToolbarButton'] as const;

export const hostedSetupSchema = z.looseObject({
  id,
  screenId: id.nullable(),
  description: z.string(),
  url: z.string(),
  type: z.enum(HOSTED_SETUP_TYPES).nullable(),
  clientId: optionalString,
  origin: optionalString,
  podHeight: z.number().int().nullable().optional(),
  toolbarButtonText: optionalString,
  disabledFlag: nullableBool,
  locationIds: z.array(z.number().int()).optional(),
});
export type HostedSetup = z.infer<typeof hostedSetupSchema>;

/** Here `screenId` is a string key; a setup's numeric `screenId` refers to a screen (verify which field). */
export const hostedScreenSchema = z.looseObject({
  id,
  screenId: optionalString,
  name: optionalString,
});
export type HostedScreen = z.infer<typeof hostedScreenSchema>;

export const newHostedSetupSchema = z
  .strictObject({
    screenId: z.number().int().positive(),
    description: maxText(50).min(1),
    url: maxText(1024).min(1),
    type: z.enum(HOSTED_SETUP_TYPES),
    origin: maxText(100).optional(),
    clientId: maxText(36).optional(),
    disabledFlag: z.boolean().optional(),
    podHeight: z.number().int().positive().optional(),
    toolbarButtonText: maxText(50).optional(),
    locationIds: z.array(z.number().int().positive()).optional(),
  })
  .refine((s) => s.type !== 'ToolbarButton' || (s.toolbarButtonText ?? '') !== '', {
    message: 'toolbarButtonText is required for a ToolbarButton',
    path: ['toolbarButtonText'],
  });
export type NewHostedSetup = z.input<typeof newHostedSetupSchema>;
