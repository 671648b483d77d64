"""A made-up running network for the demo's "Change the validator set" journey: one HTTP server on loopback
answering what pmwizard reads from a real node, in the same shapes (Tendermint RPC `/status`, `/validators`,
`/blockchain`, `/block`, `/commit`, `/genesis`; Planetmint `/api/v1/validators`, `/api/v1/transactions`),
and a stand-in `planetmint` program that the journey runs exactly as it runs Planetmint's CLI
(`election new upsert-validator ...`, `election new chain-migration`, `election approve ...`, `election show`;
a concluded chain migration is shown as Planetmint shows it, validators' keys in base58). The other members
vote on their own, one every `vote_every` seconds, so the tally streams in. Keys are read from key files only
for their public half. No Textual here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pmwizard.core.election import b64_to_b58, election_public_key
from pmwizard.core.valset import Member, ValidatorSet, power_needed

FAKE_PLANETMINT = """#!{python}
# The demo's stand-in for Planetmint's CLI: same arguments, same log lines, talks to the demo network.
import json, sys, urllib.request
args = sys.argv[1:]
config = args[args.index("-c") + 1] if "-c" in args else None
url = json.load(open(config))["demo_url"]
if args[args.index("election") + 1] == "show":
    answer = json.load(urllib.request.urlopen(url + "/demo/show/" + args[args.index("show") + 1], timeout=10))
    print("INFO:planetmint.commands.planetmint:" + answer["text"], file=sys.stderr)
    sys.exit(0)
key = json.load(open(args[args.index("--private-key") + 1]))["pub_key"]["value"]
if "chain-migration" in args:
    body, path, ok = {{"proposer": key}}, "/demo/migrate", "[SUCCESS] Submitted proposal with id: {{}}"
elif args[args.index("election") + 1] == "new":
    i = args.index("upsert-validator")
    body = {{"pub_key": args[i + 1], "power": int(args[i + 2]), "node_id": args[i + 3], "proposer": key}}
    path, ok = "/demo/propose", "[SUCCESS] Submitted proposal with id: {{}}"
else:
    body = {{"election_id": args[args.index("approve") + 1], "voter": key}}
    path, ok = "/demo/approve", "[SUCCESS] Your vote has been submitted{{}}"
req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
answer = json.load(urllib.request.urlopen(req, timeout=10))
if answer.get("error"):
    print("ERROR:planetmint.commands.planetmint:" + answer["error"], file=sys.stderr)
else:
    print("INFO:planetmint.commands.planetmint:" + ok.format(answer.get("id", "")), file=sys.stderr)
"""


class DemoNetwork:
    """State of the made-up chain: validators, blocks holding election and vote transactions."""

    def __init__(self, chain_id: str, members: list[tuple[str, str]], root: Path, vote_every: float = 1.5,
                 genesis: dict[str, Any] | None = None) -> None:
        self.chain_id = chain_id
        self.genesis = genesis or {}
        self.set = {pub: 10 for pub, _ in members}
        self.node_id = members[0][1] if members else ""
        self.blocks: list[list[dict[str, Any]]] = [[] for _ in range(12)]  # some history
        self.vote_every = vote_every
        self.others_vote = True  # tests that cast every vote themselves turn this off
        self.migrated_to = ""  # the new chain id once a chain migration concluded (Planetmint's abci chain)
        self.lock = threading.Lock()
        self.root = root
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._stop = threading.Event()

    def start(self) -> DemoNetwork:
        self._thread.start()
        threading.Thread(target=self._others_vote, daemon=True).start()
        root = self.root
        root.mkdir(parents=True, exist_ok=True)
        (root / "planetmint-demo.json").write_text(json.dumps({"demo_url": self.url}))
        prog = root / "planetmint"
        prog.write_text(FAKE_PLANETMINT.format(python=sys.executable))
        os.chmod(prog, 0o755)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def program(self) -> Path:
        return self.root / "planetmint"

    @property
    def config(self) -> Path:
        return self.root / "planetmint-demo.json"

    # -- the chain ---------------------------------------------------------------------------------------
    def _txs(self) -> list[dict[str, Any]]:
        return [tx for block in self.blocks for tx in block]

    def _add_block(self, txs: list[dict[str, Any]]) -> None:
        self.blocks.append(txs)

    def propose(self, pub_key: str, power: int, node_id: str, proposer: str) -> dict[str, Any]:
        with self.lock:
            if proposer not in self.set:
                return {"error": "Public key is not a part of the validator set"}
            if power >= (1 / 3) * sum(self.set.values()):
                return {"error": "`power` change must be less than 1/3 of total power"}
            body = {"operation": "VALIDATOR_ELECTION", "n": len(self.blocks),
                    "inputs": [{"owners_before": [b64_to_b58(proposer)], "fulfills": None}],
                    "outputs": [{"public_keys": [b64_to_b58(k)], "amount": str(p)} for k, p in self.set.items()],
                    "assets": [{"data": {"public_key": {"value": base64.b64decode(pub_key).hex().upper(),
                                                        "type": "ed25519-base16"}, "power": power,
                                         "node_id": node_id}}]}
            body["id"] = hashlib.sha3_256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            self._add_block([body])
            return {"id": body["id"]}

    def propose_migration(self, proposer: str) -> dict[str, Any]:
        with self.lock:
            if proposer not in self.set:
                return {"error": "Public key is not a part of the validator set"}
            body = {"operation": "CHAIN_MIGRATION_ELECTION", "n": len(self.blocks), "assets": [{"data": {}}],
                    "inputs": [{"owners_before": [b64_to_b58(proposer)], "fulfills": None}],
                    "outputs": [{"public_keys": [b64_to_b58(k)], "amount": str(p)} for k, p in self.set.items()]}
            body["id"] = hashlib.sha3_256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            self._add_block([body])
            return {"id": body["id"]}

    def show(self, election_id: str) -> dict[str, Any]:
        """`planetmint election show ID`'s text (Validator.show_election_status and its migration lines)."""
        with self.lock:
            e = next((t for t in self._txs() if t.get("id") == election_id and "outputs" in t
                      and t.get("operation") != "VOTE"), None)
            if e is None:
                return {"text": f"No election found with election_id {election_id}"}
            text = f"status={'concluded' if e.get('concluded') else 'ongoing'}"
            if e["operation"] == "CHAIN_MIGRATION_ELECTION" and self.migrated_to:
                vals = [{"pub_key": {"type": "tendermint/PubKeyEd25519", "value": b64_to_b58(k)}, "power": p}
                        for k, p in self.set.items()]
                app_hash = hashlib.sha3_256(self.migrated_to.encode()).hexdigest()
                text += (f"\nchain_id={self.migrated_to}\napp_hash={app_hash}"
                         f"\nvalidators={json.dumps(vals, indent=4)}")
            return {"text": text}

    def approve(self, election_id: str, voter: str) -> dict[str, Any]:
        with self.lock:
            e = next((t for t in self._txs() if t.get("id") == election_id), None)
            if e is None:
                return {"error": f"no election {election_id}"}
            power = next((int(o["amount"]) for o in e["outputs"] if o["public_keys"] == [b64_to_b58(voter)]), 0)
            if not power:
                return {"error": "The key you provided does not match any of the eligible voters in this election."}
            self._vote(e, voter, power)
            return {"id": ""}

    def _vote(self, e: dict[str, Any], voter: str, power: int) -> None:
        vote = {"operation": "VOTE", "id": hashlib.sha3_256(f"{e['id']}{voter}".encode()).hexdigest(),
                "inputs": [{"owners_before": [b64_to_b58(voter)]}], "assets": [{"id": e["id"]}],
                "outputs": [{"public_keys": [election_public_key(e["id"])], "amount": str(power)}]}
        if any(t.get("id") == vote["id"] for t in self._txs()):
            return
        self._add_block([vote])
        votes = sum(int(o["amount"]) for t in self._votes(e["id"]) for o in t["outputs"])
        if votes >= power_needed(sum(int(o["amount"]) for o in e["outputs"])) and not e.get("concluded"):
            e["concluded"] = True
            if e["operation"] == "CHAIN_MIGRATION_ELECTION":  # Planetmint's migrate_abci_chain()
                self.migrated_to = f"{self.chain_id}-migrated-at-height-{len(self.blocks)}"
                return
            data = e["assets"][0]["data"]
            key = base64.b64encode(bytes.fromhex(data["public_key"]["value"])).decode()
            if data["power"]:
                self.set[key] = data["power"]
            else:
                self.set.pop(key, None)

    def _votes(self, election_id: str) -> list[dict[str, Any]]:
        return [t for t in self._txs() if t.get("operation") == "VOTE" and t["assets"][0].get("id") == election_id]

    def _others_vote(self) -> None:
        """The other members approve open elections, one vote at a time (all but the first voter, whose
        vote is the operator's to cast in the journey)."""
        while not self._stop.wait(self.vote_every):
            if not self.others_vote:
                continue
            with self.lock:
                for e in [t for t in self._txs() if t.get("operation") in ("VALIDATOR_ELECTION",
                                                                          "CHAIN_MIGRATION_ELECTION")]:
                    if e.get("concluded"):
                        continue
                    voted = {t["inputs"][0]["owners_before"][0] for t in self._votes(e["id"])}
                    proposer = e["inputs"][0]["owners_before"][0]
                    for o in e["outputs"][1:]:
                        if o["public_keys"][0] not in voted and o["public_keys"][0] != proposer:
                            key = next(k for k in self.set if b64_to_b58(k) == o["public_keys"][0])
                            self._vote(e, key, int(o["amount"]))
                            break

    # -- HTTP --------------------------------------------------------------------------------------------
    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        with self.lock:
            height = len(self.blocks)
            vs = ValidatorSet.of(Member(k, p) for k, p in self.set.items())
            if path == "/status":
                return 200, {"result": {"node_info": {"id": self.node_id, "network": self.chain_id, "moniker": "demo"},
                                        "sync_info": {"latest_block_height": str(height), "catching_up": False},
                                        "validator_info": {"pub_key": {"value": ""}, "voting_power": "0"}}}
            if path == "/validators":
                return 200, {"result": {"validators": [{"pub_key": {"type": "tendermint/PubKeyEd25519",
                                                                    "value": m.pub_key}, "voting_power": str(m.power),
                                                        "address": m.address} for m in vs.members],
                                        "total": str(len(vs.members)), "block_height": str(height)}}
            if path == "/blockchain":
                lo, hi = int(query["minHeight"][0]), int(query["maxHeight"][0])
                metas = [{"header": {"height": str(h)}, "num_txs": str(len(self.blocks[h - 1]))}
                         for h in range(min(hi, height), max(lo, 1) - 1, -1)]
                return 200, {"result": {"block_metas": metas, "last_height": str(height)}}
            if path == "/block":
                h = int(query["height"][0])
                txs = [base64.b64encode(json.dumps(t).encode()).decode() for t in self.blocks[h - 1]]
                return 200, {"result": {"block": {"data": {"txs": txs}}}}
            if path == "/genesis":
                return 200, {"result": {"genesis": self.genesis}}
            if path == "/block_results":
                h = int(query["height"][0])
                return 200, {"result": {"height": str(h), "txs_results": [{"code": 0} for _ in self.blocks[h - 1]]}}
            if path == "/api/v1/blocks":
                eid = query.get("transaction_id", [""])[0]
                found = [i + 1 for i, b in enumerate(self.blocks) if any(t.get("id") == eid for t in b)]
                return (200, {"height": found[0], "transactions": [eid]}) if found else (404, {"message": "Not found"})
            if path == "/commit":
                sigs = [{"validator_address": m.address, "signature": "c2ln"} for m in vs.members]
                return 200, {"result": {"signed_header": {"commit": {"signatures": sigs}}}}
            if path == "/api/v1/validators":
                return 200, [{"public_key": {"type": "ed25519-base64", "value": m.pub_key}, "voting_power": m.power}
                             for m in vs.members]
            if path == "/api/v1/transactions":
                eid = query.get("asset_ids", [""])[0]
                return 200, [t for t in self._txs() if t.get("id") == eid] + self._votes(eid)
            if path.startswith("/api/v1/transactions/"):
                tx = next((t for t in self._txs() if t.get("id") == path.rsplit("/", 1)[1]), None)
                return (200, tx) if tx else (404, {"message": "Not found"})
        return 404, {"message": "Not found"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        net = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, code: int, doc: Any) -> None:
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path.startswith("/demo/show/"):
                    self._send(200, net.show(parts.path.rsplit("/", 1)[1]))
                    return
                try:
                    self._send(*net.answer(parts.path.rstrip("/") or "/", parse_qs(parts.query)))
                except (KeyError, ValueError, IndexError):
                    self._send(400, {"error": "bad request"})

            def do_POST(self) -> None:
                doc = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if self.path == "/demo/propose":
                    self._send(200, net.propose(doc["pub_key"], doc["power"], doc["node_id"], doc["proposer"]))
                elif self.path == "/demo/migrate":
                    self._send(200, net.propose_migration(doc["proposer"]))
                elif self.path == "/demo/approve":
                    self._send(200, net.approve(doc["election_id"], doc["voter"]))
                else:
                    self._send(404, {})

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

