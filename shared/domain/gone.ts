// A provider's "not found" is what a removal wants: the teardown's steps and a call's deletion remove
// what may be gone already (removed by an earlier attempt whose mark was not written).
import { ProviderNotFoundError } from '../errors';

export async function gone(remove: () => Promise<void>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    if (!(err instanceof ProviderNotFoundError)) throw err;
  }
}
