import { Client, Connection } from '@temporalio/client';

/** A Temporal client for assertions about workflows, closed by the returned function. */
export async function connectTemporal(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE });
  return { client, close: () => connection.close() };
}
