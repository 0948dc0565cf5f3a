#!/usr/bin/python3
"""Deterministic pseudo-random files for Tests/scripts/record-captures.sh.

  mkdata.py PATH SIZE SEED     writes SIZE bytes from random.Random(SEED) to PATH (via PATH.tmp), prints the SHA-256

The same SEED and SIZE give the same bytes on every run and every machine (Mersenne Twister, seeded from the string).
"""
import hashlib
import os
import random
import sys


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    path, size, seed = argv[0], int(argv[1]), argv[2]
    rng = random.Random(seed)
    h = hashlib.sha256()
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        left = size
        while left:
            chunk = rng.randbytes(min(left, 1 << 20))
            f.write(chunk)
            h.update(chunk)
            left -= len(chunk)
    os.replace(tmp, path)
    print(h.hexdigest())


if __name__ == "__main__":
    main(sys.argv[1:])
