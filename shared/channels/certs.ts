/** Certificate channels (see electron/engine/operations/certs). */
export const certChannels = {} as const;
