#!/bin/sh
# SPDX-License-Identifier: MIT
# run_fuzz.sh FUZZER RUNS SEED... : build a fresh corpus from the seed
# objects in a temporary directory and run the libFuzzer target over it
# for a bounded number of runs.  Exit status is the fuzzer's.
fuzzer=$1
runs=$2
shift 2
corpus=$(mktemp -d) || exit 1
trap 'rm -rf "$corpus"' EXIT
for s in "$@"; do
	cp "$s" "$corpus/" || exit 1
done
"$fuzzer" -runs="$runs" -max_len=262144 -seed=1 -timeout=20 \
	-rss_limit_mb=4096 "$corpus"
