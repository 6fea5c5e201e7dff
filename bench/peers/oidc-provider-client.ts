/** The reference server's one client and resource, shared by the server process and the bench driver. */
export const PEER_CLIENT = { client_id: 'bench-client', client_secret: 'bench-client-secret-0123456789abcdef' };
export const PEER_RESOURCE = 'https://api.bench.example/';
