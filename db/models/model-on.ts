import type { Connection, Model, Schema } from 'mongoose';

/** One model per connection and name, compiled on first use. */
export function modelOn<T>(conn: Connection, name: string, schema: Schema): Model<T> {
  const existing = conn.models[name] as Model<T> | undefined;
  // Cast instead of conn.model<T>(…): that overload sends the compiler into a memory blow-up.
  return existing ?? (conn.model(name, schema) as unknown as Model<T>);
}
