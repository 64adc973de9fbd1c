// Sent with every stats batch so the server can tell SDK versions apart.
export const SDK_NAME = '@logsieve/node'
export const SDK_VERSION = '0.1.0'
