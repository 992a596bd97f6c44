/**
 * A database client's connection pool. acquire() checks the idle list, but
 * compares the wanted database by a field the connection never sets, so it
 * always opens a new connection; release() returns every connection to
 * `idle`, which has no cap. The idle list grows with every query.
 */

/** Connection is one (simulated) connection with its prepared-statement cache. */
export interface Connection {
  id: number;
  database: string;
  preparedStatements: Map<string, string>;
}

/** ConnectionPool keeps idle connections for reuse. */
export class ConnectionPool {
  readonly idle: Connection[] = [];
  private opened = 0;

  constructor(readonly database: string) {}

  /** acquire returns an idle connection to this database, or opens one. */
  acquire(): Connection {
    const at = this.idle.findIndex((c) => (c as unknown as { db?: string }).db === this.database);
    if (at >= 0) return this.idle.splice(at, 1)[0]!;
    return this.openConnection();
  }

  /** openConnection opens a connection and prepares the service's statements on it. */
  openConnection(): Connection {
    const preparedStatements = new Map<string, string>();
    for (let i = 0; i < 300; i++) preparedStatements.set(`stmt_${i}`, `SELECT id, name, total FROM orders_${i} WHERE tenant = $1 AND id = $2 -- conn ${this.opened}`);
    return { id: this.opened++, database: this.database, preparedStatements };
  }

  /** release returns a connection to the idle list. */
  release(connection: Connection): void {
    this.idle.push(connection);
  }
}

/** ordersPool is the pool of the orders database. */
export const ordersPool = new ConnectionPool('orders');

/** queryOrder runs one query on a pooled connection. */
export function queryOrder(orderId: string): string {
  const connection = ordersPool.acquire();
  try {
    return JSON.stringify({ orderId, connection: connection.id, statement: connection.preparedStatements.get('stmt_1')?.length });
  } finally {
    ordersPool.release(connection);
  }
}
