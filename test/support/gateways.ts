// SIP gateways for request bodies that name one (POST /v1/me/integrations, mode external). The address
// policy (shared/net/public-address.ts) refuses the documentation ranges (192.0.2.0/24, 2001:db8::/32)
// and reserved names such as `.example`, and a name would need DNS, which the tests do not have: so
// bodies use literal public unicast addresses, which are never resolved and never dialled (the Vapi
// emulator only stores the gateway).
export const PUBLIC_GATEWAY = { ipv4: '217.10.79.9', ipv6: '2001:4860:4860::8888' } as const;
