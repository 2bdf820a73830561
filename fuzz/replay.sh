#!/bin/sh
# replay.sh — make check's run of the fuzz targets: each replays every
# input of fuzz/corpus/<target>/ once (fuzz/replay.c), so an input that
# once broke something is tried on every build, under the sanitizers in
# the ASan one. With --enable-fuzzing the targets are libFuzzer programs,
# which run the files they are given the same way.
set -eu
builddir=${PALAUTE_BUILDDIR:-.}
srcdir=${PALAUTE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
for target in answers survey rquery scrub frame; do
	"$builddir/fuzz/fuzz-$target" "$srcdir/fuzz/corpus/$target"/*
done
