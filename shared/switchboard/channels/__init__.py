"""Channel adapters: inbound parsing and verification, outbound formatting."""
