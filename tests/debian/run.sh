# Inside the Debian root (chroot): every script of tests/debian, each output between markers
# the test splits on. Run by /usr/bin/bash; also the Linux recording (tools/debian-root.mk).
export PATH=/usr/bin:/usr/sbin LC_ALL=C TZ=UTC HOME=/root
cd /
for t in bash.sh coreutils.sh python.py; do
	echo "@@@ begin $t"
	case $t in
	*.py) python3 /t/$t 2>&1 ;;
	*) bash /t/$t 2>&1 ;;
	esac
	echo "@@@ end $t status $?"
done
