import { z } from 'zod';
import { id, SECURITY_LEVELS } from './common';

/** `/system/info`: the cheapest authenticated call, used as the credentials probe. */
export const systemInfoSchema = z.looseObject({
  version: z.string().optional(),
  isCloud: z.boolean().optional(),
  serverTimeZone: z.string().optional(),
  cloudRegion: z.string().optional(),
  licenseBits: z
    .array(z.looseObject({ name: z.string().optional(), activeFlag: z.boolean().optional() }))
    .optional(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

const level = z.enum(SECURITY_LEVELS).nullable().optional();

/** One row of `/system/mySecurity`: the calling member's levels for one module function. */
export const mySecuritySchema = z.looseObject({
  id,
  moduleIdentifier: z.string().optional(),
  moduleName: z.string().optional(),
  moduleFunctionIdentifier: z.string().optional(),
  moduleFunctionName: z.string().optional(),
  addLevel: level,
  editLevel: level,
  deleteLevel: level,
  inquireLevel: level,
});
export type MySecurity = z.infer<typeof mySecuritySchema>;

/** `/system/mySecurity/customizeItems/`, e.g. customizeIdentifier `SystemManageHostedApi`. */
export const mySecurityCustomizeItemSchema = z.looseObject({
  id,
  customizeIdentifier: z.string().nullable().optional(),
  itemIdentifier: z.string().optional(),
});
export type MySecurityCustomizeItem = z.infer<typeof mySecurityCustomizeItemSchema>;
