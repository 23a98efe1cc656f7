#!/usr/bin/env bash
# Installs the host tools the integration tests drive for real: createrepo_c,
# rpmbuild, bubblewrap, dnf, git, openssl, systemd-analyze and Python 3 with
# qpid-proton (a foreign AMQP 1.0 peer). As root it installs what is missing
# with apt-get (Debian) or dnf (Fedora); otherwise it only reports.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have createrepo_c || need+=(createrepo_c)
have rpmbuild || need+=(rpmbuild)
have bwrap || need+=(bwrap)
have dnf || need+=(dnf)
have git || need+=(git)
have openssl || need+=(openssl)
have systemd-analyze || need+=(systemd-analyze)
have cpio || need+=(cpio)
/usr/bin/python3 -c 'import proton, xmlrpc.client' >/dev/null 2>&1 || need+=(python3-proton)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup-host: all test tools present"
  exit 0
fi
echo "setup-host: missing: ${need[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "setup-host: not root; install them yourself (see README), tests needing them will fail" >&2
  exit 0
fi
if have apt-get; then
  echo "setup-host: installing with apt-get (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq createrepo-c rpm bubblewrap dnf git openssl systemd cpio \
    python3 python3-qpid-proton python3-requests python3-dateutil python3-six \
    python3-defusedxml python3-rpm >/dev/null
elif have dnf; then
  echo "setup-host: installing with dnf (Fedora packages)"
  dnf install -y -q createrepo_c rpm-build bubblewrap git openssl systemd cpio \
    python3 python3-qpid-proton python3-requests python3-dateutil python3-six \
    python3-defusedxml python3-rpm
else
  echo "setup-host: no apt-get or dnf; install the tools by hand" >&2
fi
