/** The few extension APIs the e2e tests read inside the service worker via `worker.evaluate`. */
declare const chrome: {
  action: { getBadgeText(details: object): Promise<string> };
  notifications: { getAll(): Promise<Record<string, boolean>> };
  storage: { managed: { get(): Promise<Record<string, unknown>> }; local: { set(items: object): Promise<void> } };
};
