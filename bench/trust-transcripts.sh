#!/usr/bin/env bash
# The four ways issue 10's "Why" found `volley run` giving wrong data without a word, each run
# again as a new user would: the built CLI against `volley sim` over real HTTP, in a fresh folder.
# Prints every command, its exit code and what its output holds. Run after `npm run build`, from
# the repository root:
#   bash bench/trust-transcripts.sh
set -u
ROOT=$(pwd)
VOLLEY="node $ROOT/dist/cli/main.js"
DIR=$(mktemp -d /tmp/volley-trust-XXXXXX)
cd "$DIR" || exit 1
SIMS=()
trap 'for p in "${SIMS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$DIR"' EXIT

# `volley sim` on a free port with the given flags; sets SIM (its base URL, .../v1).
sim() {
  $VOLLEY sim --port 0 "$@" > sim.$$.log 2>&1 &
  SIMS+=($!)
  for _ in $(seq 1 200); do
    SIM=$(grep -o 'http://[^ ]*/v1' sim.$$.log | head -1)
    [ -n "$SIM" ] && break
    sleep 0.1
  done
  rm -f sim.$$.log
}
requests() { curl -s "$SIM/stats" | jq .requests; }
# Shows a command as typed (with the variables it was given), runs it, and shows its exit code.
show() {
  echo "\$ $*"
  eval "$@"
  echo "[exit $?]"
}
lines() { seq 1 "$1" | sed 's/.*/"Prompt number &: write one sentence about the sea."/'; }
section() { printf '\n==== %s ====\n' "$1"; }

section "1. No key: no silent simulator; --sim is marked; another endpoint is refused"
lines 3 > in.jsonl
show "env -u OPENAI_API_KEY $VOLLEY run in.jsonl --out out.jsonl -q"
echo "(files written: $(ls out.* 2>/dev/null | wc -l))"
show "env -u OPENAI_API_KEY $VOLLEY run in.jsonl --out out.jsonl --sim -q"
echo "journal segment 1 identity: $(grep '"t":"s"' out.journal.jsonl | head -1 | jq -c .identity)"
sim
show "OPENAI_API_KEY=sk-proj-4f9a2c $VOLLEY run in.jsonl --out out.jsonl --base-url $SIM -q" 2>&1
before=$(requests)
show "OPENAI_API_KEY=sk-proj-4f9a2c $VOLLEY run in.jsonl --out out.jsonl --base-url $SIM --rerun-changed" 2>&1
echo "requests the server got for it: $(( $(requests) - before ))"
echo "journal segment 2 identity: $(grep '"t":"s"' out.journal.jsonl | sed -n 2p | jq -c .identity)"

section "2. Resume by content: two edited lines resent; another input to the same --out"
lines 10 > ten.jsonl
show "OPENAI_API_KEY=k $VOLLEY run ten.jsonl --out o2.jsonl --base-url $SIM -q"
sed -i 's/number 3:/number three:/; s/number 7:/number seven:/' ten.jsonl
before=$(requests)
show "OPENAI_API_KEY=k $VOLLEY run ten.jsonl --out o2.jsonl --base-url $SIM | grep -E 'lines|resume'"
echo "requests the server got for it: $(( $(requests) - before ))"
printf '"alpha"\n"beta"\n"gamma"\n' > other.jsonl
before=$(requests)
show "OPENAI_API_KEY=k $VOLLEY run other.jsonl --out o2.jsonl --base-url $SIM | grep -E 'lines|resume'"
echo "requests the server got for it: $(( $(requests) - before ))"
echo "o2.jsonl now holds $(wc -l < o2.jsonl) lines: $(jq -r .custom_id o2.jsonl | tr '\n' ' ')"
echo "their requests (journal hashes) are other.jsonl's: $(jq -r 'select(.t=="i") | .h' o2.journal.jsonl | tr '\n' ' ')"

section "3. Ctrl-C then resume: status and report cover both invocations; a no-op rerun shrinks nothing"
sim --rpm 600 --latency 300ms
lines 300 > big.jsonl
echo "\$ OPENAI_API_KEY=k $VOLLEY run big.jsonl --out o3.jsonl --base-url $SIM -q &   # then SIGINT after 6 s"
OPENAI_API_KEY=k $VOLLEY run big.jsonl --out o3.jsonl --base-url "$SIM" -q > first.txt 2>&1 &
pid=$!
sleep 6
kill -INT $pid
wait $pid
echo "[exit $?]"
grep -E 'interrupted|lines|unfinished|Resume' first.txt
show "$VOLLEY status o3.jsonl"
show "OPENAI_API_KEY=k $VOLLEY run big.jsonl --out o3.jsonl --base-url $SIM -q | grep -E 'lines|resume'"
show "$VOLLEY status o3.jsonl --json | jq -c '{state, invocations, done, total, ok, failed, attempts, rateLimited, elapsedMs}'"
show "$VOLLEY report o3.jsonl"
echo "report totals: $(sed 's/<[^>]*>/ /g' o3.html | tr -s ' \n' ' ' | grep -o '[0-9,]* calls .\{0,160\}' | head -1)"
show "OPENAI_API_KEY=k $VOLLEY run big.jsonl --out o3.jsonl --base-url $SIM -q | grep -E 'lines|resume'"
show "$VOLLEY status o3.jsonl --json | jq -c '{state, invocations, done, total, ok, failed, attempts, rateLimited, elapsedMs}'"
show "$VOLLEY report o3.jsonl"
echo "report totals: $(sed 's/<[^>]*>/ /g' o3.html | tr -s ' \n' ' ' | grep -o '[0-9,]* calls .\{0,160\}' | head -1)"

section "4. --max-cost 0.001 caps the whole run; the hint names a total, not another budget"
sim
lines 2500 > b.jsonl
show "OPENAI_API_KEY=k $VOLLEY run b.jsonl --out o4.jsonl --base-url $SIM --max-cost 0.001 -q" 2>&1
echo "spent (journal, every invocation): \$$(jq -r 'select(.t=="i" and .s=="ok") | .c' o4.journal.jsonl | awk '{s+=$1} END {printf "%.6f", s}') over $(wc -l < o4.jsonl) lines"
before=$(requests)
show "OPENAI_API_KEY=k $VOLLEY run b.jsonl --out o4.jsonl --base-url $SIM --max-cost 0.001 -q" 2>&1
echo "requests the server got for the rerun: $(( $(requests) - before ))"
echo "spent (journal, every invocation): \$$(jq -r 'select(.t=="i" and .s=="ok") | .c' o4.journal.jsonl | awk '{s+=$1} END {printf "%.6f", s}') over $(wc -l < o4.jsonl) lines"
show "OPENAI_API_KEY=k $VOLLEY run b.jsonl --out o4.jsonl --base-url $SIM --max-cost 0.002 -q" 2>&1
echo "spent (journal, every invocation): \$$(jq -r 'select(.t=="i" and .s=="ok") | .c' o4.journal.jsonl | awk '{s+=$1} END {printf "%.6f", s}') over $(wc -l < o4.jsonl) lines"
