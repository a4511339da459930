/** Proxy and installation-customization channels (see electron/engine/operations/proxy). */
export const proxyChannels = {} as const;
