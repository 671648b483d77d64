"""Merlin transcripts (merlin.cool) over STROBE-128 over Keccak-f[1600], as Tendermint 0.34's secret
connection uses them (github.com/gtank/merlin) to derive the challenge both sides sign.

hashlib offers SHA-3 but not the raw Keccak permutation, so it is written here. Only the STROBE operations
Merlin needs exist: meta-AD, AD and PRF, with the byte-level semantics of Merlin's reference strobe.rs.
"""

from __future__ import annotations

import struct

MASK64 = (1 << 64) - 1

# Keccak round constants and rotation offsets (FIPS 202), lanes indexed x + 5*y.
_ROUND_CONSTANTS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)
_ROTATIONS = (
    0, 1, 62, 28, 27,
    36, 44, 6, 55, 20,
    3, 10, 43, 25, 39,
    41, 45, 15, 21, 8,
    18, 2, 61, 56, 14,
)


def keccak_f1600(state: bytearray) -> None:
    """Apply Keccak-f[1600] in place to a 200-byte state (lanes little-endian).

    Unrolled over the 25 lanes with local variables (theta, rho and pi in one pass, then chi): a handshake
    runs three permutations, and the loop-and-list form cost about 1 ms each, the CPU a doctor over many
    members spends on one event loop. tests/p2p/test_derivation.py holds it to the FIPS 202 form."""
    (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12,
     a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24) = struct.unpack_from("<25Q", state)
    for rc in _ROUND_CONSTANTS:
        # theta: column parities, each folded into its two neighbours
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
        c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
        c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
        c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
        d0 = c4 ^ (((c1 << 1) | (c1 >> 63)) & MASK64)
        d1 = c0 ^ (((c2 << 1) | (c2 >> 63)) & MASK64)
        d2 = c1 ^ (((c3 << 1) | (c3 >> 63)) & MASK64)
        d3 = c2 ^ (((c4 << 1) | (c4 >> 63)) & MASK64)
        d4 = c3 ^ (((c0 << 1) | (c0 >> 63)) & MASK64)
        # rho and pi: lane (x, y) rotated and moved to (y, 2x + 3y)
        b0 = a0 ^ d0
        t = a5 ^ d0
        b16 = ((t << 36) | (t >> 28)) & MASK64
        t = a10 ^ d0
        b7 = ((t << 3) | (t >> 61)) & MASK64
        t = a15 ^ d0
        b23 = ((t << 41) | (t >> 23)) & MASK64
        t = a20 ^ d0
        b14 = ((t << 18) | (t >> 46)) & MASK64
        t = a1 ^ d1
        b10 = ((t << 1) | (t >> 63)) & MASK64
        t = a6 ^ d1
        b1 = ((t << 44) | (t >> 20)) & MASK64
        t = a11 ^ d1
        b17 = ((t << 10) | (t >> 54)) & MASK64
        t = a16 ^ d1
        b8 = ((t << 45) | (t >> 19)) & MASK64
        t = a21 ^ d1
        b24 = ((t << 2) | (t >> 62)) & MASK64
        t = a2 ^ d2
        b20 = ((t << 62) | (t >> 2)) & MASK64
        t = a7 ^ d2
        b11 = ((t << 6) | (t >> 58)) & MASK64
        t = a12 ^ d2
        b2 = ((t << 43) | (t >> 21)) & MASK64
        t = a17 ^ d2
        b18 = ((t << 15) | (t >> 49)) & MASK64
        t = a22 ^ d2
        b9 = ((t << 61) | (t >> 3)) & MASK64
        t = a3 ^ d3
        b5 = ((t << 28) | (t >> 36)) & MASK64
        t = a8 ^ d3
        b21 = ((t << 55) | (t >> 9)) & MASK64
        t = a13 ^ d3
        b12 = ((t << 25) | (t >> 39)) & MASK64
        t = a18 ^ d3
        b3 = ((t << 21) | (t >> 43)) & MASK64
        t = a23 ^ d3
        b19 = ((t << 56) | (t >> 8)) & MASK64
        t = a4 ^ d4
        b15 = ((t << 27) | (t >> 37)) & MASK64
        t = a9 ^ d4
        b6 = ((t << 20) | (t >> 44)) & MASK64
        t = a14 ^ d4
        b22 = ((t << 39) | (t >> 25)) & MASK64
        t = a19 ^ d4
        b13 = ((t << 8) | (t >> 56)) & MASK64
        t = a24 ^ d4
        b4 = ((t << 14) | (t >> 50)) & MASK64
        # chi (row-wise), then iota on lane 0
        a0 = b0 ^ (~b1 & b2)
        a1 = b1 ^ (~b2 & b3)
        a2 = b2 ^ (~b3 & b4)
        a3 = b3 ^ (~b4 & b0)
        a4 = b4 ^ (~b0 & b1)
        a5 = b5 ^ (~b6 & b7)
        a6 = b6 ^ (~b7 & b8)
        a7 = b7 ^ (~b8 & b9)
        a8 = b8 ^ (~b9 & b5)
        a9 = b9 ^ (~b5 & b6)
        a10 = b10 ^ (~b11 & b12)
        a11 = b11 ^ (~b12 & b13)
        a12 = b12 ^ (~b13 & b14)
        a13 = b13 ^ (~b14 & b10)
        a14 = b14 ^ (~b10 & b11)
        a15 = b15 ^ (~b16 & b17)
        a16 = b16 ^ (~b17 & b18)
        a17 = b17 ^ (~b18 & b19)
        a18 = b18 ^ (~b19 & b15)
        a19 = b19 ^ (~b15 & b16)
        a20 = b20 ^ (~b21 & b22)
        a21 = b21 ^ (~b22 & b23)
        a22 = b22 ^ (~b23 & b24)
        a23 = b23 ^ (~b24 & b20)
        a24 = b24 ^ (~b20 & b21)
        a0 ^= rc
    struct.pack_into("<25Q", state, 0, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9,
                     a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24)


# STROBE-128: rate R = 200 - 2*16 - 2 = 166 bytes; operation flags.
STROBE_R = 166
FLAG_I, FLAG_A, FLAG_C, FLAG_T, FLAG_M, FLAG_K = 1, 2, 4, 8, 16, 32


class Strobe128:
    """The subset of STROBE v1.0.2 (128-bit security) that Merlin uses."""

    # the state right after the constant STROBE header's permutation: the same for every instance
    _START: bytes | None = None

    def __init__(self, protocol_label: bytes) -> None:
        if Strobe128._START is None:
            st = bytearray(200)
            st[0:6] = bytes([1, STROBE_R + 2, 1, 0, 1, 96])
            st[6:18] = b"STROBEv1.0.2"
            keccak_f1600(st)
            Strobe128._START = bytes(st)
        self.state = bytearray(Strobe128._START)
        self.pos = 0
        self.pos_begin = 0
        self.cur_flags = 0
        self.meta_ad(protocol_label, more=False)

    def _run_f(self) -> None:
        self.state[self.pos] ^= self.pos_begin
        self.state[self.pos + 1] ^= 0x04
        self.state[STROBE_R + 1] ^= 0x80
        keccak_f1600(self.state)
        self.pos = 0
        self.pos_begin = 0

    def _absorb(self, data: bytes) -> None:
        for byte in data:
            self.state[self.pos] ^= byte
            self.pos += 1
            if self.pos == STROBE_R:
                self._run_f()

    def _squeeze(self, n: int) -> bytes:
        out = bytearray(n)
        for i in range(n):
            out[i] = self.state[self.pos]
            self.state[self.pos] = 0
            self.pos += 1
            if self.pos == STROBE_R:
                self._run_f()
        return bytes(out)

    def _begin_op(self, flags: int, more: bool) -> None:
        if more:
            # A continuation must keep the operation it continues (Merlin's length suffix does).
            if self.cur_flags != flags:
                raise ValueError("STROBE continuation with different flags")
            return
        old_begin = self.pos_begin
        self.pos_begin = self.pos + 1
        self.cur_flags = flags
        self._absorb(bytes([old_begin, flags]))
        if flags & (FLAG_C | FLAG_K) and self.pos != 0:
            self._run_f()

    def meta_ad(self, data: bytes, more: bool) -> None:
        self._begin_op(FLAG_M | FLAG_A, more)
        self._absorb(data)

    def ad(self, data: bytes, more: bool) -> None:
        self._begin_op(FLAG_A, more)
        self._absorb(data)

    def prf(self, n: int, more: bool = False) -> bytes:
        self._begin_op(FLAG_I | FLAG_A | FLAG_C, more)
        return self._squeeze(n)


def _le32(n: int) -> bytes:
    return n.to_bytes(4, "little")


class Transcript:
    """A Merlin v1.0 transcript: labelled messages in, challenge bytes out."""

    def __init__(self, app_label: bytes) -> None:
        self._strobe = Strobe128(b"Merlin v1.0")
        self.append_message(b"dom-sep", app_label)

    def append_message(self, label: bytes, message: bytes) -> None:
        self._strobe.meta_ad(label, more=False)
        self._strobe.meta_ad(_le32(len(message)), more=True)
        self._strobe.ad(message, more=False)

    def challenge_bytes(self, label: bytes, n: int) -> bytes:
        """Merlin's challenge_bytes (Go: ExtractBytes)."""
        self._strobe.meta_ad(label, more=False)
        self._strobe.meta_ad(_le32(n), more=True)
        return self._strobe.prf(n)
