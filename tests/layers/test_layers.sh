#!/bin/sh
# The layering check (scripts/check-layers) on this build must pass, and
# on scratch copies with a planted violation it must fail and name it:
# so the check can never pass by checking nothing.
set -u
src=${PALAUTE_SRCDIR:?}
build=${PALAUTE_BUILDDIR:?}
check="$src/scripts/check-layers"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }

# 1. The real tree keeps to the layers.
if "$check" "$src" "$build" > "$tmp/out" 2>&1; then
	ok "the build keeps to the layers"
else
	bad "the build breaks the layers:"; cat "$tmp/out"
fi

# 2. A core object that calls up into api.
mkdir -p "$tmp/build/clients/cli"
for l in common storage core api routes; do
	cp "$build/lib$l.a" "$tmp/build/"
done
cat > "$tmp/planted.c" <<'C'
struct api_ctx;
struct api_req;
void api_handle(struct api_ctx *, struct api_req *);
void planted(void);
void planted(void) { api_handle((void *)0, (void *)0); }
C
${CC:-cc} -c -o "$tmp/planted.o" "$tmp/planted.c"
ar r "$tmp/build/libcore.a" "$tmp/planted.o" 2>/dev/null
if "$check" "$src" "$tmp/build" > "$tmp/out" 2>&1; then
	bad "a core object calling api_handle passed"
elif grep -q 'libcore.a(planted.o) uses api_handle of api' "$tmp/out"; then
	ok "a core object calling api_handle fails the check"
else
	bad "the check failed without naming the planted call:"; cat "$tmp/out"
fi

# 3. Planted includes in a scratch copy of the sources.
plant_include() {	# file line what
	rm -rf "$tmp/src"
	mkdir -p "$tmp/src/clients" "$tmp/src/scripts"
	cp -R "$src/common" "$src/storage" "$src/core" "$src/api" \
	    "$src/daemon" "$tmp/src/"
	cp -R "$src/clients/cli" "$tmp/src/clients/"
	printf '%s\n' "$2" >> "$tmp/src/$1"
	if "$check" "$tmp/src" "$build" > "$tmp/out" 2>&1; then
		bad "$3 passed"
	elif grep -q "$1" "$tmp/out"; then
		ok "$3 fails the check"
	else
		bad "$3: the check did not name $1:"; cat "$tmp/out"
	fi
}
plant_include core/period.c '#include "api/api.h"' "core including api"
plant_include storage/keys.c '#include "core/rec.h"' "storage including core"
plant_include core/cell.c '#include <lmdb.h>' "<lmdb.h> in core"
plant_include core/stats.c '#include <event2/http.h>' "libevent in core"
plant_include clients/cli/palautectl.c '#include "api/routes/routes.h"' \
    "palautectl including routes"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
