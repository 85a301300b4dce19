// A tiny event bus, so modules can react to "session started / ended" without importing each
// other (no import circles). Handlers run in the order they were added, one after another.

const handlers = new Map();

export function on(name, handler) {
  if (!handlers.has(name)) handlers.set(name, []);
  handlers.get(name).push(handler);
}

export async function emit(name, ...args) {
  for (const handler of handlers.get(name) || []) await handler(...args);
}
