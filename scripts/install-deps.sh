#!/bin/sh
# Installs what routex needs to build, test and benchmark, from Debian 12 packages.
# Daemons installed for interop tests (the BGP daemons, and pmacct for its BMP collector
# pmbmpd) must not start their system services (a policy-rc.d that exits 101): only the
# tests' own instances may listen on port 179 or take BMP sessions. groff-base and
# mandoc lint the man pages (tests/package); systemd-analyze, when present, checks the unit.
set -e
[ "$(id -u)" = 0 ] || { echo "install-deps: run as root (apt-get)" >&2; exit 1; }
PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
      liburcu-dev libjemalloc-dev libbsd-dev libcmocka-dev libbenchmark-dev
      libyaml-dev libxxhash-dev zlib1g-dev libbz2-dev bgpdump valgrind python3 curl
      groff-base mandoc
      bird2 gobgpd frr exabgp openbgpd pmacct
      librtr-dev stayrtr"
# Optional: promtool (package prometheus) checks the metrics endpoint's output in the interop
# test, which skips that check without it. Its service must not start either (policy-rc.d).
OPTIONAL="prometheus"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
optional=""
for p in $OPTIONAL; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || optional="$optional $p"
done
[ -z "$missing$optional" ] && exit 0
echo "install-deps: installing$missing$optional"
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
[ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing
for p in $optional; do
	apt-get install -y -qq --no-install-recommends "$p" ||
		echo "install-deps: optional $p did not install; the tests that use it skip that part" >&2
done
# Only promtool is wanted from prometheus: its server must not start at boot either
# (policy-rc.d covers the install only). Done offline, as the package's own scripts do.
if dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "ok installed"; then
	DPKG_MAINTSCRIPT_PACKAGE=prometheus deb-systemd-helper disable prometheus.service || true
	update-rc.d prometheus disable >/dev/null 2>&1 || true
fi
# stayrtr (the RTR cache of the RPKI interop test) is enabled at boot by its package and would
# fetch the public ROA set from the internet: only the tests' own instances run.
if dpkg-query -W -f='${Status}' stayrtr 2>/dev/null | grep -q "ok installed"; then
	DPKG_MAINTSCRIPT_PACKAGE=stayrtr deb-systemd-helper disable stayrtr.service || true
fi
