#!/usr/bin/env bash
# install-deps.sh - install the Debian/Ubuntu packages cprof needs to build and test.
#
# Usage: scripts/install-deps.sh [--quiet] [--with-optional]
#
#   --quiet          print nothing when everything is already installed
#   --with-optional  also install the optional tools (best effort: a failure only warns)
#
# Only missing packages are installed, so running it again is cheap. As root it calls
# apt-get directly; otherwise it uses sudo when that works without a password, and
# when it does not, it prints the command to run and exits 1.
#
# To add a dependency, add it to the group it belongs to below.
set -euo pipefail

# Compiler, build tools and the libraries the Makefile links against.
build_pkgs=(
	gcc
	make
	pkg-config
	protobuf-c-compiler
	libprotobuf-c-dev
	zlib1g-dev
	libpcre2-dev
	libncurses-dev
	libdw-dev
	libelf-dev
	libiberty-dev
	libgraphviz-dev
	libmicrohttpd-dev
)

# What `make test` needs on top of the build.
test_pkgs=(
	libcmocka-dev
	google-perftools
	libgoogle-perftools-dev
	libxml2-utils
	g++
	chromium
	nodejs
	tmux
	clang
	libclang-rt-dev
	valgrind
)

# The browser tests (tests/graph, tests/flame, tests/web) need chromium; tests/flame and
# tests/web drive it from node with npm's playwright-core, which they install themselves.  Without them those parts
# are skipped with a message.  clang with libclang-rt-dev builds the libFuzzer harnesses
# (make fuzz-smoke), and valgrind replays the regression corpus (tests/regress).
# Nice to have: the Go toolchain (compare with `go tool pprof`, make fixtures),
# hyperfine for the benchmarks, GNU time (/usr/bin/time -v) for peak memory,
# gperftools (libprofiler, tcmalloc) for the recorder's side-by-side benchmark.
optional_pkgs=(
	golang-go
	libgoogle-perftools4
	hyperfine
	time
	linux-perf
	graphviz
)

prog=install-deps
quiet=0
with_optional=0

usage() {
	sed -n '2,11s/^# \{0,1\}//p' "$0"
}

say() {
	if [[ $quiet -eq 0 ]]; then
		printf '%s\n' "$*"
	fi
}

warn() {
	printf '%s: warning: %s\n' "$prog" "$*" >&2
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

for arg in "$@"; do
	case $arg in
	--quiet | -q) quiet=1 ;;
	--with-optional) with_optional=1 ;;
	--help | -h)
		usage
		exit 0
		;;
	*)
		printf '%s: unknown option %s (try --help)\n' "$prog" "$arg" >&2
		exit 2
		;;
	esac
done

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# missing NAME PKG... : set the array NAME to the PKGs that are not installed.
missing() {
	local -n out=$1
	local pkg
	shift
	out=()
	for pkg in "$@"; do
		if ! is_installed "$pkg"; then
			out+=("$pkg")
		fi
	done
}

need=("${build_pkgs[@]}" "${test_pkgs[@]}")
want=()
if [[ $with_optional -eq 1 ]]; then
	want=("${optional_pkgs[@]}")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	die "dpkg-query not found; on this system install the equivalents of: ${need[*]}"
fi

need_missing=()
want_missing=()
missing need_missing "${need[@]}"
missing want_missing ${want[@]+"${want[@]}"}

if [[ ${#need_missing[@]} -eq 0 && ${#want_missing[@]} -eq 0 ]]; then
	say "$prog: all $((${#need[@]} + ${#want[@]})) packages are installed"
	exit 0
fi

all_missing=(${need_missing[@]+"${need_missing[@]}"} ${want_missing[@]+"${want_missing[@]}"})

# How to become root: nothing, sudo without a password, or give up with the command.
as_root=()
if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		as_root=(sudo)
	else
		cmd="sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive"
		cmd+=" apt-get install -y --no-install-recommends ${all_missing[*]}"
		if [[ ${#need_missing[@]} -eq 0 ]]; then
			warn "not root and no passwordless sudo; skipped optional packages. Run: $cmd"
			exit 0
		fi
		die "not root and no passwordless sudo. Run: $cmd"
	fi
fi

printf '%s: installing %s\n' "$prog" "${all_missing[*]}"

apt_update() {
	${as_root[@]+"${as_root[@]}"} apt-get update -qq
}

apt_install() {
	${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "$@"
}

if [[ ${#need_missing[@]} -gt 0 ]]; then
	apt_update || die "apt-get update failed"
	apt_install "${need_missing[@]}" || die "apt-get install failed for: ${need_missing[*]}"
	updated=1
else
	updated=0
fi

if [[ ${#want_missing[@]} -gt 0 ]]; then
	if [[ $updated -eq 0 ]] && ! apt_update; then
		warn "apt-get update failed; skipped optional packages: ${want_missing[*]}"
		exit 0
	fi
	if ! apt_install "${want_missing[@]}" 2>/dev/null; then
		# One of them may be unavailable on this release; get the others anyway.
		for pkg in "${want_missing[@]}"; do
			apt_install "$pkg" >/dev/null 2>&1 || warn "could not install optional package $pkg"
		done
	fi
fi
