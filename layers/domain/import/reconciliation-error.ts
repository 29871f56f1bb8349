/** The counts do not add up: something was lost or counted twice, and the import must not pass. */
export class ReconciliationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconciliationError';
  }
}
