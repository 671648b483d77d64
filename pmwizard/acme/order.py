"""The conversation with the CA, through certbot's `acme` library (RFC 8555): fetch the directory, find or
create the account, order the names, answer each HTTP-01 challenge, finalize with our CSR, and take the
full chain. The library is imported here, inside the functions, so `pmwizard --help` never loads it.

Every way this can go wrong ends as an `AcmeFailure` carrying findings in the operator's words
(pmwizard.acme.explain); nothing is written by this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmwizard.acme.challenge import Responder
from pmwizard.acme.explain import ca_target, not_acme, order_problem, unreachable
from pmwizard.acme.request import LETSENCRYPT, LETSENCRYPT_CAA, LETSENCRYPT_STAGING, IssueRequest
from pmwizard.checks.finding import Finding, Status
from pmwizard.core.shown import first_line, visible
from pmwizard.errors import PmwizardError

USER_AGENT = "pmwizard (certbot acme library)"
ORDER_DEADLINE = 120.0  # seconds for validation + finalization; the CA polls our port meanwhile

Progress = Callable[[str], None]


class AcmeFailure(PmwizardError):
    """The CA could not be used or refused; `findings` say why and what to do."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("; ".join(f.message for f in findings))


@dataclass
class CA:
    """An opened directory: the URL, the parsed directory, and how to verify the CA's HTTPS."""

    url: str
    directory: Any
    verify: bool | str
    timeout: float

    @property
    def caa_identities(self) -> list[str]:
        meta = getattr(self.directory, "meta", None)
        return list(getattr(meta, "caa_identities", None) or [])

    @property
    def terms(self) -> str | None:
        meta = getattr(self.directory, "meta", None)
        return getattr(meta, "terms_of_service", None)


def _network_errors() -> tuple[type[BaseException], ...]:
    import requests

    return (requests.exceptions.RequestException, OSError)


def open_directory(req: IssueRequest) -> tuple[CA | None, Finding]:
    """Fetch the directory. (CA, pass finding) or (None, the finding that explains why not)."""
    import josepy
    from acme import client, errors, messages

    verify: bool | str = str(req.ca_file) if req.ca_file else True
    # verify_ssl goes to requests' `verify`, which also takes a CA bundle path (a private ACME server)
    net = client.ClientNetwork(key=None, verify_ssl=verify, user_agent=USER_AGENT,  # type: ignore[arg-type]
                               timeout=int(max(req.timeout, 1)))
    try:
        directory = client.ClientV2.get_directory(req.directory, net)
    except _network_errors() as exc:
        return None, unreachable(req.directory, first_line(exc), ca_file=req.ca_file is not None)
    except (errors.Error, messages.Error, josepy.errors.Error, ValueError, KeyError) as exc:
        return None, not_acme(req.directory, first_line(exc))
    missing = [k for k in ("newNonce", "newAccount", "newOrder") if k not in directory.to_partial_json()]
    if missing:
        return None, not_acme(req.directory, f"no {', '.join(missing)} in the directory")
    finding = Finding("acme.directory", ca_target(req.directory), Status.PASS, "ok",
                      f"the ACME directory answers ({_ca_label(req.directory)})",
                      evidence={"directory": visible(req.directory)})
    return CA(req.directory, directory, verify, req.timeout), finding


def _ca_label(url: str) -> str:
    if url == LETSENCRYPT:
        return "Let's Encrypt"
    if url == LETSENCRYPT_STAGING:
        return "Let's Encrypt staging: certificates browsers do not trust, for trying things out"
    return visible(url)


def caa_identity(req: IssueRequest, ca: CA) -> str | None:
    """The domain the CA's CAA records use: --caa-identity, the directory's caaIdentities, or Let's
    Encrypt's for its two directories. None when nobody says."""
    if req.caa_identity:
        return req.caa_identity
    if ca.caa_identities:
        return ca.caa_identities[0]
    if req.directory in (LETSENCRYPT, LETSENCRYPT_STAGING):
        return LETSENCRYPT_CAA
    return None


def obtain(req: IssueRequest, ca: CA, account_key_pem: bytes, cert_key_pem: bytes, responder: Responder,
           progress: Progress, caa: str | None) -> bytes:
    """Order the certificate for every name and return the full chain PEM (leaf + intermediates)."""
    import josepy
    from acme import challenges, client, crypto_util, errors, messages
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    account = load_pem_private_key(account_key_pem, None)
    net = client.ClientNetwork(josepy.JWKEC(key=account), alg=josepy.ES256,
                               verify_ssl=ca.verify,  # type: ignore[arg-type]
                               user_agent=USER_AGENT, timeout=int(max(req.timeout, 1)))
    acme = client.ClientV2(ca.directory, net)

    def explain(name: str, error: Any) -> Finding:
        return order_problem(name, getattr(error, "typ", None), getattr(error, "detail", "") or str(error),
                             caa_identity=caa, http_port=req.http_port)

    try:
        progress("registering the account (or finding it again)")
        contact = messages.NewRegistration.from_data(email=req.email, terms_of_service_agreed=True)
        try:
            acme.new_account(contact)
        except errors.ConflictError as exc:  # this key already has an account: use it
            net.account = messages.RegistrationResource(uri=exc.location, body=messages.Registration())
        progress(f"ordering a certificate for {', '.join(req.all_names)}")
        csr = crypto_util.make_csr(cert_key_pem, req.all_names)
        order = acme.new_order(csr)
        for authz in order.authorizations:
            if authz.body.status == messages.STATUS_VALID:
                continue  # validated recently; the CA reuses it
            http01 = [c for c in authz.body.challenges if isinstance(c.chall, challenges.HTTP01)]
            name = authz.body.identifier.value
            if not http01:
                raise AcmeFailure([Finding("acme.order", name, Status.FAIL, "no_http01",
                                           f"the CA offers no HTTP-01 challenge for {name}",
                                           fix="Use a CA that validates over HTTP (Let's Encrypt does)")])
            chall = http01[0]
            response, validation = chall.response_and_validation(net.key)
            responder.add(chall.chall.encode("token"), validation.encode("ascii"))
            progress(f"the CA is fetching http://{name}/.well-known/acme-challenge/...")
            acme.answer_challenge(chall, response)
        deadline = dt.datetime.now() + dt.timedelta(seconds=ORDER_DEADLINE)
        done = acme.poll_and_finalize(order, deadline)
    except errors.ValidationError as exc:
        found = []
        for authz in exc.failed_authzrs:
            name = authz.body.identifier.value
            problems = [c.error for c in authz.body.challenges if c.error is not None]
            found += [explain(name, p) for p in problems] or [explain(name, authz.body.status)]
        raise AcmeFailure(found) from None
    except errors.IssuanceError as exc:
        raise AcmeFailure([explain(req.hostname, exc.error)]) from None
    except messages.Error as exc:
        raise AcmeFailure([explain(req.hostname, exc)]) from None
    except (errors.TimeoutError, errors.PollError) as exc:
        raise AcmeFailure([Finding("acme.order", req.hostname, Status.ERROR, "timeout",
                                   f"the CA did not finish within {ORDER_DEADLINE:g} s ({first_line(exc)})",
                                   fix="Try again; if it repeats, check that the CA can reach port "
                                       f"{req.http_port} quickly")]) from None
    except _network_errors() as exc:
        raise AcmeFailure([unreachable(req.directory, first_line(exc), ca_file=req.ca_file is not None)]) from None
    except errors.Error as exc:
        raise AcmeFailure([Finding("acme.order", req.hostname, Status.ERROR, "server",
                                   f"unexpected answer from the CA: {visible(first_line(exc))}",
                                   fix="Try again later; if it repeats, try --staging to see whether the "
                                       "CA or this machine is at fault")]) from None
    return done.fullchain_pem.encode("ascii")
