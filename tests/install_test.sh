#!/bin/sh
# install_test.sh BUILD_DIR SOURCE_DIR CC LIBDIR PKG_CONFIG [FLAGS...]
#
# Install the build into a temporary prefix (cmake --install --prefix) and
# build docs/examples/dedup_example.c against it twice, the way a user
# would: with find_package(doppel) (shared and static targets) and with
# pkg-config and the C compiler alone. Runs the three programs and checks
# their output. FLAGS go to every compile and link (the sanitizer flags of
# a sanitizer build, whose library needs them).
set -eu
build=$1 src=$2 cc=$3 libdir=$4 pkgconfig=$5
shift 5
flags="$*"
work=$build/install-test
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work"

fail() { echo "install_test: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; fail "cmake --install failed"; }
for f in include/doppel.h "$libdir/libdoppel.a" "$libdir/libdoppel.so" \
         "$libdir/libdoppel.so.0" "$libdir/pkgconfig/doppel.pc" \
         "$libdir/cmake/doppel/doppelConfig.cmake" \
         "$libdir/cmake/doppel/doppelConfigVersion.cmake" \
         "$libdir/cmake/doppel/doppelTargets.cmake" bin/doppel; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done
if command -v readelf >/dev/null 2>&1; then
    readelf -d "$prefix/$libdir/libdoppel.so" | grep -q 'SONAME.*\[libdoppel\.so\.0\]' ||
        fail "libdoppel.so has no SONAME libdoppel.so.0"
fi
# The installed program finds the installed library by itself (RPATH).
"$prefix/bin/doppel" --version >"$work/version.txt" ||
    fail "installed bin/doppel does not run"
grep -q '^doppel ' "$work/version.txt" || fail "bin/doppel --version: $(cat "$work/version.txt")"

step "find_package(doppel): cmake -S docs/examples -DCMAKE_PREFIX_PATH=$prefix"
cmake -S "$src/docs/examples" -B "$work/cmake" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
    >"$work/cmake-configure.log" 2>&1 ||
    { cat "$work/cmake-configure.log" >&2; fail "configuring the example failed"; }
cmake --build "$work/cmake" >"$work/cmake-build.log" 2>&1 ||
    { cat "$work/cmake-build.log" >&2; fail "building the example failed"; }
"$work/cmake/dedup_example" >"$work/out-cmake.txt" ||
    fail "dedup_example (doppel::doppel) failed"
"$work/cmake/dedup_example_static" >"$work/out-cmake-static.txt" ||
    fail "dedup_example_static (doppel::doppel_static) failed"

step "pkg-config: cc dedup_example.c \$(pkg-config --cflags --libs doppel)"
PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
export PKG_CONFIG_PATH
pc_flags=$("$pkgconfig" --cflags --libs doppel) ||
    fail "pkg-config --cflags --libs doppel failed"
echo "   pkg-config: $pc_flags"
# shellcheck disable=SC2086 # word splitting of flags is intended
"$cc" -std=c11 $flags "$src/docs/examples/dedup_example.c" $pc_flags \
    -o "$work/dedup_example_pc" || fail "building with pkg-config failed"
LD_LIBRARY_PATH="$prefix/$libdir" "$work/dedup_example_pc" \
    >"$work/out-pkgconfig.txt" || fail "dedup_example (pkg-config) failed"

step "outputs"
cmp -s "$work/out-cmake.txt" "$work/out-cmake-static.txt" ||
    fail "shared and static builds print different results"
cmp -s "$work/out-cmake.txt" "$work/out-pkgconfig.txt" ||
    fail "CMake and pkg-config builds print different results"
grep -q '^original vs copy: duplicate$' "$work/out-cmake.txt" ||
    fail "the example did not find its duplicate"
grep -q "$(printf '^council-repost\tcouncil-news\t1.0000$')" "$work/out-cmake.txt" ||
    fail "the example's clusters are not as expected"
cat "$work/out-cmake.txt"
echo "install_test: OK (prefix $prefix)"
