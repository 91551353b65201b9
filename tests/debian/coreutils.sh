# coreutils (tests/debian/README.md): each command's output must equal expected/coreutils.out.
set -eu
export LC_ALL=C TZ=UTC
w=${1:-/tmp/cu}
rm -rf "$w"; mkdir -p "$w/src/sub"; cd "$w"
printf 'line one\nline two\n' >src/a.txt
seq 1 1000 >src/sub/numbers
printf '\x00\x01binary\xff' >src/b.bin
ln -s a.txt src/link
chmod 640 src/a.txt
touch -d '2024-01-02 03:04:05' src/a.txt src/b.bin src/sub/numbers src/sub src/link src
touch -h -d '2024-01-02 03:04:05' src/link
echo "== ls -l"
# (files only: a directory's size is the file system's own, 4096 on ext2, 60 on tmpfs)
ls -l --time-style=long-iso src/a.txt src/b.bin src/link
ls -ln --time-style=+%F src/sub/numbers
ls -ld --time-style=long-iso src/sub | cut -c1-10
echo "== sort"
printf 'pear\napple\nfig\napple\n10\n9\n' | sort
printf '10\n9\n100\n' | sort -n
printf 'b 2\na 3\nc 1\n' | sort -k2 -r
printf 'x\ny\nx\n' | sort -u
echo "== sha256sum"
sha256sum src/a.txt src/b.bin src/sub/numbers
echo "== cp -a"
cp -a src dst
ls -l --time-style=long-iso dst/a.txt dst/b.bin dst/link
[ "$(sha256sum <src/sub/numbers)" = "$(sha256sum <dst/sub/numbers)" ] && echo "cp: same content"
stat -c '%n %s %a %F %Y' dst/a.txt dst/link
stat -c '%n %a %F %Y' dst/sub
echo "== dd"
dd if=src/sub/numbers of=part bs=100 skip=2 count=3 status=none
wc -c part; head -c 20 part | od -c | head -2
dd if=/dev/zero bs=4096 count=4 status=none | sha256sum
echo "== stat"
stat -c '%n %s %a %A %F %h %Y' src/a.txt src/link
stat -c '%n %a %A %F %h %Y' src/sub
stat -L -c '%n %s' src/link
echo "== date"
date -u -d @0 '+%Y-%m-%d %H:%M:%S %A'
date -u -d '2024-02-29 12:00' '+%s %j %U'
date -u -d @1700000000
echo "== more"
seq 5 | paste -sd+ | tr -d '\n'; echo " = $(( $(seq 5 | paste -sd+) ))"
printf 'a:b:c\n1:2:3\n' | cut -d: -f2,3
printf 'x\nx\ny\n' | uniq -c
head -n 3 src/sub/numbers | tail -n 1; wc -l src/sub/numbers
echo hello | base64; echo aGVsbG8K | base64 -d
expr 6 \* 7; factor 360; basename /a/b/c.txt .txt; dirname /a/b/c.txt
printf '%05d|%-4s|%x\n' 42 ab 255
du -b src/sub/numbers
id -u; id -un; whoami
rm -rf "$w"
echo "== done"
