"""Examples shown under each subcommand's `--help`, keyed by the words after `pmwizard`.

Kept in one table (not in each module's register) so every command has them and a test can say which one
lacks them; a command that sets its own `epilog` keeps it.
"""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "": "  pmwizard --demo                                  # the wizard in a sandbox\n"
        "  pmwizard                                         # the wizard for this node\n"
        "  pmwizard identity show --json\n"
        "  pmwizard COMMAND --help                          # each command's options and examples\n",
    "identity": "  pmwizard identity init\n  pmwizard identity show --json\n",
    "identity show": "  pmwizard identity show\n  pmwizard identity show --home ~/.cometbft --json\n",
    "identity init": "  pmwizard identity init                 # creates only what is missing\n"
                     "  pmwizard identity init --home /srv/node\n",
    "card": "  pmwizard card export --hostname node.alice.example -o alice.card.json\n"
            "  pmwizard card verify cards/\n",
    "card export": "  pmwizard card export --hostname node.alice.example --name Alice -o alice.card.json\n"
                   "  pmwizard card export --hostname 10.0.0.5 --p2p-port 26666 > card.json\n",
    "card verify": "  pmwizard card verify cards/\n  pmwizard card verify alice.card.json bob.card.json --json\n"
                   "  pmwizard card verify - < pasted-card.json      # - reads standard input\n",
    "genesis": "  pmwizard genesis new cards/*.json -o genesis.json\n  pmwizard genesis validate genesis.json\n",
    "genesis new": "  pmwizard genesis new cards/ -o genesis.json\n"
                   "  pmwizard genesis new a.json b.json --chain-id planetmint-test --power 20\n",
    "genesis add": "  pmwizard genesis add genesis.json carol.card.json -o genesis.json\n",
    "genesis validate": "  pmwizard genesis validate genesis.json\n  pmwizard genesis validate genesis.json --json\n"
                        "  pmwizard genesis validate - < genesis.json      # - reads standard input\n"
                        "  pmwizard genesis validate docs-genesis.json --convert genesis.json\n",
    "configure": "  pmwizard configure --genesis genesis.json --peers cards/ --moniker alice --check\n"
                 "  pmwizard configure --genesis genesis.json --peers cards/ --moniker alice --yes\n"
                 "  pmwizard configure --genesis genesis.json --services all --hostname node.alice.example --check\n",
    "services": "  pmwizard services monit --check\n  pmwizard services nginx --hostname node.alice.example --yes\n"
                "  pmwizard services planetmint --hostname node.alice.example --check\n",
    "check": "  pmwizard check dns node.alice.example --expect-ip 203.0.113.7\n"
             "  pmwizard check tls node.alice.example\n"
             "  pmwizard check --list\n",
    "check dns": "  pmwizard check dns node.alice.example --expect-ip 203.0.113.7 --ca letsencrypt.org\n"
                 "  pmwizard check dns node.alice.example --nameserver 127.0.0.1:5353 --json\n",
    "check tls": "  pmwizard check tls node.alice.example\n"
                 "  pmwizard check tls node.alice.example --name node1.consortium.example --ca-file root.pem\n",
    "check p2p": "  pmwizard check p2p --config ~/.cometbft/config/config.toml --genesis genesis.json\n"
                 "  pmwizard check p2p 0a1b...@node.bob.example:26656\n"
                 "  pmwizard check p2p node.bob.example --node-id 0a1b...\n",
    "check cert-files": "  pmwizard check cert-files fullchain.pem privkey.pem --name node.alice.example\n",
    "check csr": "  pmwizard check csr --hostname node.alice.example -o /etc/ssl/pmwizard --check\n"
                 "  pmwizard check csr --hostname node.alice.example --name node1.consortium.example -o . --yes\n",
    "doctor": "  pmwizard doctor                                  # this node\n"
              "  pmwizard doctor --genesis genesis.json cards/      # every member\n"
              "  pmwizard doctor cards/ --consortium-domain consortium.example --json\n"
              "  pmwizard doctor --network --genesis genesis.json cards/   # who signs, who stalls, why no blocks\n"
              "  pmwizard doctor --network --watch --json               # one JSON line per round\n",
    "undo": "  pmwizard undo --check\n  pmwizard undo --yes\n",
    "demo": "  pmwizard demo\n",
    "export": "  pmwizard export --help                           # the targets this installation offers\n",
    "completion": "  pmwizard completion bash > ~/.local/share/bash-completion/completions/pmwizard\n"
                  "  pmwizard completion zsh > \"${fpath[1]}/_pmwizard\"\n",
    "cert": "  pmwizard cert issue node.alice.example --name node1.consortium.example --check\n"
            "  pmwizard cert renew --yes\n",
    "cert issue": "  pmwizard cert issue node.alice.example --name node1.consortium.example "
                  "--email ops@alice.example --check\n"
                  "  pmwizard cert issue node.alice.example --http-01 standalone --yes     # no web server yet\n"
                  "  pmwizard cert issue node.alice.example --staging --yes                "
                  "# untrusted test certificate\n",
    "cert renew": "  pmwizard cert renew --check                      # what is due within 30 days\n"
                  "  pmwizard cert renew --yes                        # renew it and reload nginx\n",
    "cert schedule": "  pmwizard cert schedule --check                   # the systemd timer pair\n"
                     "  pmwizard cert schedule --cron --yes              # /etc/cron.d/pmwizard-renew instead\n",
    "validators": "  pmwizard validators show --cards cards/\n"
                  "  pmwizard validators add dave.card.json --power 9 --check\n"
                  "  pmwizard validators vote election-bundle.json --yes\n",
    "validators show": "  pmwizard validators show --cards cards/\n  pmwizard validators show --json\n",
    "validators add": "  pmwizard validators add dave.card.json --power 9 "
                      "--member-rpc http://dave.example:26657 --check\n"
                      "  pmwizard validators add dave.card.json --power 9 --planetmint-bin ~/pm/bin/planetmint "
                      "--yes -o election-bundle.json\n",
    "validators remove": "  pmwizard validators remove dave.card.json --check\n"
                         "  pmwizard validators remove 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 --yes\n",
    "validators set-power": "  pmwizard validators set-power bob.card.json --power 5 --check\n",
    "validators vote": "  pmwizard validators vote election-bundle.json --check   # what is voted on\n"
                       "  pmwizard validators vote election-bundle.json --yes     "
                       "# approve with this node's key file\n",
    "validators status": "  pmwizard validators status election-bundle.json\n"
                         "  pmwizard validators status election-bundle.json --wait 120 --json\n",
    "validators migrate": "  pmwizard validators migrate ELECTION_ID --check   # runs `planetmint election show`\n"
                          "  planetmint election show ELECTION_ID > show.txt 2>&1\n"
                          "  pmwizard validators migrate ELECTION_ID --show show.txt --yes\n",
    "join": "  pmwizard join --from-rpc http://member.example:26657 --peers cards/ --check\n"
            "  pmwizard join --genesis genesis.json --expect-sha256 HEX --peers cards/ --yes\n"
            "  pmwizard join --wait --from-rpc http://member.example:26657   # until caught up\n",
    "export prometheus": "  pmwizard export prometheus -o prometheus/ cards/ --check\n"
                         "  pmwizard export prometheus -o prometheus/ --target alice=node.alice.example:26660 --yes\n"
                         "  promtool check config prometheus/prometheus.yml    # then load it in Prometheus\n",
    "software": "  pmwizard software                                # what this machine has for a node\n"
                "  pmwizard software --planetmint-bin ~/pm/bin/planetmint --json\n",
}
