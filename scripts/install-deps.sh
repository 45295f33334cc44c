#!/bin/sh
# Installs what routex needs to build, test and benchmark, from Debian 12 packages.
# Daemons installed for interop tests must not start their system services (a policy-rc.d
# that exits 101): only the tests' own instances may listen on port 179. groff-base and
# mandoc lint the man pages (tests/package); systemd-analyze, when present, checks the unit.
set -e
[ "$(id -u)" = 0 ] || { echo "install-deps: run as root (apt-get)" >&2; exit 1; }
PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
      liburcu-dev libjemalloc-dev libbsd-dev libcmocka-dev libbenchmark-dev
      libyaml-dev libxxhash-dev zlib1g-dev libbz2-dev bgpdump valgrind python3
      groff-base mandoc
      bird2 gobgpd frr exabgp openbgpd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
