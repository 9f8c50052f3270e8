// Typed arrays moved onto SharedArrayBuffers, so that worker threads handed them (workerData,
// postMessage) read the same memory instead of each receiving a copy. The rebuild's ranking threads
// only read the population and the index, so one copy serves them all (issue 7: two threads' copies
// were ~350 MB of a worker's peak at 1M users).

type TypedArray = Exclude<ArrayBufferView, DataView>;

function sharedCopy<T extends TypedArray>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  (copy as unknown as { set(src: T): void }).set(a);
  return copy;
}

/**
 * `value` with every typed array not already shared replaced by a shared copy of the same type and
 * contents, through plain objects, arrays and Map values; anything else is kept as it is.
 */
export function shareArrays<T>(value: T): T {
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView || value.buffer instanceof SharedArrayBuffer) return value;
    return sharedCopy(value as TypedArray) as T;
  }
  if (Array.isArray(value)) return value.map(shareArrays) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, shareArrays(v)])) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shareArrays(v)])) as T;
  }
  return value;
}

/** Whether every typed array in `value` (as shareArrays walks it) is on shared memory. */
export function allShared(value: unknown): boolean {
  if (ArrayBuffer.isView(value)) return value instanceof DataView || value.buffer instanceof SharedArrayBuffer;
  if (Array.isArray(value)) return value.every(allShared);
  if (value instanceof Map) return [...value.values()].every(allShared);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(allShared);
  return true;
}
