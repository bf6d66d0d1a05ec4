#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check every global symbol a skiff library defines.

Each symbol must start with "sk_" (STYLE.md: skiff links into other kernels,
so a bare name would collide), must not be defined by the C library, and
must be defined by one library only.  Alternative implementations of
another library's interface (the sync pthread port, the liburcu backend of
lib/rcu) are allowed to repeat that library's (listed after --alt).  Prints one line per problem and
"N passed, N failed" at the end.
"""
import argparse
import os
import subprocess
import sys

LIBC_CANDIDATES = ["/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"]


def defined_globals(nm, path, dynamic=False):
    args = [nm, "-g", "--defined-only", "-P"]
    if dynamic:
        args.append("-D")
    out = subprocess.run(args + [path], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not parts[0].endswith(":"):
            names.add(parts[0].split("@")[0])
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--alt", action="append", default=[])
    ap.add_argument("libs", nargs="*")
    opts = ap.parse_args()
    alts = set(os.path.basename(a) for a in opts.alt)
    libc = set()
    for cand in LIBC_CANDIDATES:
        if os.path.exists(cand):
            libc = defined_globals(opts.nm, cand, dynamic=True)
            break
    owner = {}
    failed = passed = 0
    for lib in opts.libs + opts.alt:
        name = os.path.basename(lib)
        for sym in sorted(defined_globals(opts.nm, lib)):
            problems = []
            if not sym.startswith("sk_"):
                problems.append("does not start with sk_")
            if sym in libc:
                problems.append("clashes with a libc symbol")
            if sym in owner and name not in alts and owner[sym] not in alts:
                problems.append("also defined by " + owner[sym])
            owner.setdefault(sym, name)
            if problems:
                failed += 1
                print("%s: %s: %s" % (name, sym, "; ".join(problems)))
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
