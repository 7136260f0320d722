import type {
  SearchAttributeKey,
  SearchAttributeType,
} from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

export type SearchAttributeKeys = readonly SearchAttributeKey<SearchAttributeType>[];

/** How `temporal server start-dev --search-attribute Name=Type` spells each type. */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** The workflows' own keys, so the dev server knows every attribute before a workflow sets it. */
export const ENGINE_SEARCH_ATTRIBUTES: SearchAttributeKeys = SEARCH_ATTRIBUTES;

export function searchAttributeFlags(keys: SearchAttributeKeys): string[] {
  return keys.flatMap(({ name, type }) => ['--search-attribute', `${name}=${CLI_TYPE[type]}`]);
}
