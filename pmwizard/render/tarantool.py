"""The Tarantool instance Planetmint needs: Planetmint's own init.lua, listening on 3303.

Planetmint ships `backend/tarantool/opt/init.lua`, which calls `box.cfg{listen = 3303}` itself. The
instance file configures Tarantool first (listen port, data folder, log, pid file) and keeps its port
when init.lua reconfigures, so tests can run it on a free port. The Planetmint docs' 3301 is wrong.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pmwizard.errors import InputError
from pmwizard.render.quoting import lua_string

PLANETMINT_TARANTOOL_PORT = 3303
INIT_LUA_IN_PACKAGE = Path("backend") / "tarantool" / "opt" / "init.lua"


@dataclass(frozen=True)
class TarantoolSetup:
    """Where the instance keeps its data, log and pid, and the init.lua it runs."""

    folder: Path
    init_lua: Path
    port: int = PLANETMINT_TARANTOOL_PORT
    background: bool = True

    @property
    def instance(self) -> Path:
        return self.folder / "tarantool-instance.lua"


def find_init_lua(given: str | None = None, planetmint_bin: str | None = None) -> Path:
    """Planetmint's init.lua: the path given, else from the `planetmint` package this interpreter can
    import, else from the venv of the `planetmint` executable (given or on PATH)."""
    if given:
        path = Path(given).expanduser().absolute()
        if not path.is_file():
            raise InputError(str(path), "--init-lua", "no such file")
        return path
    spec = importlib.util.find_spec("planetmint")
    if spec and spec.submodule_search_locations:
        for base in spec.submodule_search_locations:
            candidate = Path(base) / INIT_LUA_IN_PACKAGE
            if candidate.is_file():
                return candidate.absolute()
    exe = planetmint_bin or shutil.which("planetmint")
    if exe:
        # <venv>/bin/planetmint -> <venv>/lib/python3.*/site-packages/planetmint/...; the venv is the
        # folder above bin/ (not the symlink target, which is the base interpreter's).
        venv = Path(os.path.abspath(exe)).parent.parent
        pattern = str(venv / "lib" / "python3.*" / "site-packages" / "planetmint" / INIT_LUA_IN_PACKAGE)
        for hit in sorted(glob.glob(pattern)):
            return Path(hit)
    raise InputError("<command line>", "--init-lua", "Planetmint's init.lua was not found (no `planetmint` "
                     "package importable here, no planetmint executable on PATH); give it with --init-lua "
                     "<venv>/lib/python3.X/site-packages/planetmint/backend/tarantool/opt/init.lua")


# Tarantool 2.6 (Debian bookworm's package) refuses a tuple whose inputs[*].fulfills is null under Planetmint's
# multikey index on inputs[*].fulfills["transaction_id"] ("Tuple field [6][*]["fulfills"] ... expected map"):
# every CREATE and election transaction then fails to store, Planetmint's commit raises and the node stops.
# The instance stores an empty map there instead; Planetmint reads an empty `fulfills` back as none
# (planetmint/backend/models/input.py), so the transaction, its id and its signature are unchanged.
NULL_FULFILLS = """
-- pmwizard: store a null inputs[*].fulfills as an empty map (Tarantool 2.6 rejects null under Planetmint's
-- index on inputs[*].fulfills["transaction_id"]); Planetmint reads it back as none.
local EMPTY_MAP = {__serialize = 'map'}
local fulfills_triggers = {}
local function fill_fulfills(space_name)
    local space = box.space[space_name]
    if space == nil then return end
    local at
    for i, f in ipairs(space:format()) do
        if f.name == 'inputs' then at = i end
    end
    if at == nil then return end
    local function trigger(_, new)
        if new == nil or type(new[at]) ~= 'table' then return new end
        local t = new:totable()
        local changed = false
        for _, input in ipairs(t[at]) do
            if type(input) == 'table' and input.fulfills == nil then
                input.fulfills = setmetatable({}, EMPTY_MAP)
                changed = true
            end
        end
        if changed then return box.tuple.new(t) end
        return new
    end
    space:before_replace(trigger, fulfills_triggers[space_name])
    fulfills_triggers[space_name] = trigger
end
local function fill_all()
    fill_fulfills('transactions')
    fill_fulfills('governance')
end
if type(init) == 'function' then
    local planetmint_init = init
    init = function(...)
        local result = planetmint_init(...)
        fill_all()
        return result
    end
end
fill_all()
"""


def instance_text(s: TarantoolSetup) -> str:
    """The instance file: `tarantool <file>` starts Planetmint's database."""
    port = int(s.port)
    if not 0 < port < 65536:
        raise InputError("<command line>", "--port", f"{port} is not a TCP port")
    folder = str(s.folder)
    return f"""-- Tarantool instance for Planetmint, written by pmwizard. Start: tarantool {s.instance}
-- Runs Planetmint's own init.lua on port {port} (Planetmint's default is 3303, not the docs' 3301).
local folder = {lua_string(folder)}
local listen = {lua_string(f"127.0.0.1:{port}")}
local init_lua = {lua_string(str(s.init_lua))}

local fio = require('fio')
fio.mktree(folder .. '/tarantool-data')
fio.mktree(folder .. '/logs')

box.cfg{{
    listen = listen,
    work_dir = folder .. '/tarantool-data',
    log = folder .. '/logs/tarantool.log',
    pid_file = folder .. '/tarantool.pid',
    background = {'true' if s.background else 'false'},
}}

-- init.lua calls box.cfg{{listen = 3303}} itself; keep the port chosen above.
local configure = box.cfg
box.cfg = function(options)
    options = options or {{}}
    options.listen = listen
    return configure(options)
end
dofile(init_lua)
box.cfg = configure
""" + NULL_FULFILLS + """\
-- init() is the function Planetmint calls to create its spaces; its presence proves init.lua ran.
require('log').info('pmwizard: Planetmint init.lua loaded from %s (init: %s)', init_lua, type(init))
"""
