# Bash features (tests/debian/README.md): loops, pipes, $(...), here-documents, arithmetic,
# arrays, functions, traps, job control. Output must equal expected/bash.out (Linux).
set -u
echo "== loops"
for i in 1 2 3; do printf '%s ' "$i"; done; echo
n=0; while [ $n -lt 5 ]; do n=$((n + 1)); done; echo "while: $n"
i=10; until (( i <= 7 )); do ((i--)); done; echo "until: $i"
for ((j = 0; j < 3; j++)); do echo "c-style $j"; done
echo "== pipes and substitution"
echo "b a c" | tr ' ' '\n' | sort | tr '\n' ' '; echo
count=$(printf 'x\ny\nz\n' | wc -l); echo "lines: $count"
nested=$(echo "outer $(echo inner $(echo deepest))"); echo "$nested"
echo "status of false|true: $(false | true; echo $?) pipefail: $(set -o pipefail; false | true; echo $?)"
echo "== here-documents"
cat <<END
heredoc with $((6 * 7)) and $(echo substitution)
END
cat <<'END'
quoted $HOME stays
END
tr a-z A-Z <<<"here string"
echo "== arrays and strings"
arr=(one two three); arr+=(four); echo "${#arr[@]} ${arr[2]} ${arr[*]:1:2}"
declare -A map=([k1]=v1 [k2]=v2); echo "map: ${map[k2]} keys: $(printf '%s\n' "${!map[@]}" | sort | tr '\n' ' ')"
s="hello world"; echo "${s^^} ${s#hello } ${s/world/there} ${#s}"
echo "== functions and traps"
fact() { if (( $1 <= 1 )); then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
echo "fact 10 = $(fact 10)"
trap 'echo "trap USR1 caught"' USR1
kill -USR1 $$
trap - USR1
( trap 'echo "subshell EXIT trap"' EXIT; echo "in subshell" )
echo "== job control"
set -m
sleep 0.2 &
jobs
wait %1; echo "job 1 done: $?"
sleep 5 &
kill %1
wait %1; echo "killed job status: $?"
( exit 7 ) &
wait $!; echo "background exit: $?"
set +m
echo "== read and case"
printf 'alpha beta\n' | { read -r a b; echo "read: $b $a"; }
for w in apple 42 -x; do
	case $w in [a-z]*) echo "$w: word" ;; [0-9]*) echo "$w: number" ;; *) echo "$w: other" ;; esac
done
echo "== done"
