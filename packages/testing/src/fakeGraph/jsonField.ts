/**
 * Whether a value is a plain JSON object.
 *
 * @example
 * isRecord({ id: '1' }); // true
 */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Form-encoded Graph fields carry JSON strings (`recipient={"id":"1"}`): reads both forms.
 *
 * @example
 * jsonField('{"id":"1"}'); // { id: '1' }
 * jsonField({ id: '1' }); // { id: '1' }
 */
export const jsonField = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
