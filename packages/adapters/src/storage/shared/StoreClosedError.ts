/** The error every store rejects with after `close()`: one class, owned by the store wrapper in core. */
export { StoreClosedError } from '@callperm/core';
