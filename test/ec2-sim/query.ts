/**
 * The EC2 Query protocol's two ends: form parameters in (`Filter.1.Name`,
 * `TagSpecification.1.Tag.2.Value`, `SnapshotId.3`), XML out (lists as
 * `<item>` elements, namespace 2016-11-15), and errors as EC2 writes them.
 */
import { randomUUID } from 'node:crypto';
import type { Tag } from './model';

export type Params = Map<string, string>;

export class Ec2Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function parseParams(body: string): Params {
  return new Map(new URLSearchParams(body));
}

/** `Prefix.1`, `Prefix.2`, … in order (EC2 numbers lists from 1). */
export function list(params: Params, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`)!);
  return out;
}

/** Indexes of a list of structures: `Filter.1.Name` → [1, …]. */
function indexes(params: Params, prefix: string): number[] {
  const found = new Set<number>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.`);
  for (const key of params.keys()) {
    const m = re.exec(key);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

export interface Filter {
  name: string;
  values: string[];
}

export function filters(params: Params): Filter[] {
  return indexes(params, 'Filter').map((i) => ({ name: params.get(`Filter.${i}.Name`) ?? '', values: list(params, `Filter.${i}.Value`) }));
}

export function tags(params: Params, prefix: string): Tag[] {
  return indexes(params, prefix).map((i) => ({ Key: params.get(`${prefix}.${i}.Key`) ?? '', Value: params.get(`${prefix}.${i}.Value`) ?? '' }));
}

/** Tags from `TagSpecification.N` for the given resource type. */
export function tagSpecs(params: Params, resourceType: string): Tag[] {
  const out: Tag[] = [];
  for (const i of indexes(params, 'TagSpecification')) {
    const type = params.get(`TagSpecification.${i}.ResourceType`);
    if (type !== resourceType) throw new Ec2Error(400, 'InvalidParameterValue', `'${type}' is not a valid taggable resource type for this operation.`);
    out.push(...tags(params, `TagSpecification.${i}.Tag`));
  }
  return out;
}

export function required(params: Params, name: string): string {
  const v = params.get(name);
  if (!v) throw new Ec2Error(400, 'MissingParameter', `The request must contain the parameter ${name}`);
  return v;
}

/** EC2 filter values allow `*` and `?` wildcards. */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

/**
 * Keep the items every filter matches (one of its values, any of the item's
 * values for that name). `fields` answers a filter name for an item; an
 * unknown name is an error, as in EC2.
 */
export function applyFilters<T>(items: T[], fs: Filter[], fields: (item: T, name: string) => string[] | null): T[] {
  return items.filter((item) =>
    fs.every((f) => {
      const have = fields(item, f.name);
      if (have === null) throw new Ec2Error(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
      return have.some((v) => f.values.some((p) => matches(p, v)));
    }),
  );
}

/** Filter names every taggable resource understands. */
export function tagField(tagList: Tag[], name: string): string[] | null {
  if (name === 'tag-key') return tagList.map((t) => t.Key);
  if (name === 'tag-value') return tagList.map((t) => t.Value);
  if (name.startsWith('tag:')) return tagList.filter((t) => t.Key === name.slice(4)).map((t) => t.Value);
  return null;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export type XmlValue = string | number | boolean | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Objects become elements, arrays become `<item>` lists, undefined is left out. */
export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => `<item>${toXml(v)}</item>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escape(String(value));
}

export function response(action: string, body: Record<string, XmlValue>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId>${toXml(body)}</${action}Response>`;
}

export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
}

export const tagSet = (t: Tag[]): XmlValue => t.map((x) => ({ key: x.Key, value: x.Value }));

export const iso = (ms: number): string => new Date(ms).toISOString();
