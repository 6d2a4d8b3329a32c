"""Content digests: the whole SHA-256 of a small file, a constant-cost sampled digest of a large one.

The duplicate checks (the same file as two pieces; the same file in two apprentices' portfolios)
compare these digests, and reading a recording must not cost more for a longer one.
"""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

from portfolio_check.extract.runner import (
    SAMPLED_BLOCK_BYTES,
    SAMPLED_BLOCKS,
    SAMPLED_PREFIX,
    WHOLE_DIGEST_BYTES,
    content_digest,
    extract_file,
)
from portfolio_check.ingest.inventory import ingest


class CountingStream(io.BytesIO):
    """A stream that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        block = super().read(size)
        self.bytes_read += len(block)
        return block


def test_a_small_file_gets_its_whole_sha256() -> None:
    data = random.Random(1).randbytes(300_000)
    stream = CountingStream(data)
    assert content_digest(stream, len(data)) == hashlib.sha256(data).hexdigest()
    assert stream.tell() == 0


def test_a_large_file_costs_the_same_to_digest_however_long_it_is() -> None:
    read = []
    for megabytes in (9, 40):
        data = bytes(megabytes * 1024 * 1024)
        stream = CountingStream(data)
        digest = content_digest(stream, len(data))
        assert digest.startswith(SAMPLED_PREFIX) and stream.tell() == 0
        read.append(stream.bytes_read)
    assert read[0] == read[1] == SAMPLED_BLOCKS * SAMPLED_BLOCK_BYTES


def test_sampled_digests_tell_copies_from_different_recordings() -> None:
    data = bytearray(random.Random(2).randbytes(WHOLE_DIGEST_BYTES + 5_000_000))
    digest = content_digest(io.BytesIO(bytes(data)), len(data))
    assert content_digest(io.BytesIO(bytes(data)), len(data)) == digest
    for offset in (0, 100, len(data) - 1):  # a header, an index at the end: what any edit changes
        changed = bytearray(data)
        changed[offset] ^= 0xFF
        assert content_digest(io.BytesIO(bytes(changed)), len(changed)) != digest
    assert content_digest(io.BytesIO(bytes(data[:-1])), len(data) - 1) != digest  # the size counts too


def test_two_copies_of_a_large_file_in_a_portfolio_get_one_digest(tmp_path: Path) -> None:
    data = random.Random(3).randbytes(WHOLE_DIGEST_BYTES + 1)
    (tmp_path / "clip.bin").write_bytes(data)
    (tmp_path / "clip copy.bin").write_bytes(data)
    (tmp_path / "other.bin").write_bytes(data[:-1] + b"!")
    digests = {item.path: extract_file(item).sha256 for item in ingest(tmp_path).files}
    assert digests["clip.bin"] == digests["clip copy.bin"] != digests["other.bin"]
    assert all(d is not None and d.startswith(SAMPLED_PREFIX) for d in digests.values())
