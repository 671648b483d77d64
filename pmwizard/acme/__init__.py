"""Getting the node's TLS certificate from an ACME CA (Let's Encrypt by default) and renewing it.

The protocol is certbot's `acme` library (imported only inside the functions that talk to the CA, so the CLI
starts fast); this package adds what an operator needs around it: a pre-flight that finds DNS and port-80
trouble before the CA counts a failed attempt against its rate limits, the HTTP-01 answer served through
the NGINX site pmwizard writes (or a standalone listener), files written through the previewed, atomic,
backed-up Plan, the CA's errors explained with the fix, and renewal of what is close to expiry.

No Textual or Rich here: the CLI (pmwizard/cli/cert.py) and the wizard's certificate step only present.
"""
