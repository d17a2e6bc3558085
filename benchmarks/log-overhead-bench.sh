#!/usr/bin/env bash
# Issue 6's target: a launch-heavy workload runs no more than 3% slower with the replay log on
# than off. Two agents from the distribution run side by side, one recording (--data-dir, the
# default behaviour) and one with --no-log.
#
# Main measure, paired bursts: one long-lived launch_pairs client per agent (through
# `gpumigrate run`, commanded over its stdin). After WARMUP discarded bursts a side, a
# controller runs PAIRS pairs of bursts of BURST asynchronous launches (+ one synchronize),
# one side at a time, the log-on side first in even pairs and the log-off side first in odd
# ones. Each pair gives one ratio (log-on launches/s over log-off launches/s); the two bursts
# of a pair are a fraction of a second apart, so the drift of a shared host between rounds
# (larger than the effect) cancels out. Reported: the median ratio, its 95% confidence interval
# (order statistics: distribution-free, no randomness), the interquartile range, each side's
# median, and whether the target (ratio >= 0.97) is met, missed or not yet decided
# (benchmarks/README.md says how to read the table, the order check included).
# Secondary: driver_bench run whole through each agent, alternating, ROUNDS times (launches/s,
# launch + synchronize latency, pageable copies), medians and on/off ratios, as before.
#
# Usage (repository root): benchmarks/log-overhead-bench.sh [PAIRS (300)] [BACKEND (auto)]
#   (the first argument used to be ROUNDS; ROUNDS is now the environment variable below)
#   DIST    the distribution (default cli/target/gpumigrate; on a GPU machine .device/dist)
#   LOGDIR  where outputs and the table go (default /tmp/log-bench): table.md, pairs.csv (one
#           line a pair), agent-*.log, client-*.log, on.txt/off.txt (driver_bench output)
#   QUICK   non-empty: small sizes for the emulator (BURST 2000, WARMUP 3, ROUNDS 1, and
#           driver_bench --quick)
#   BURST   launches a burst (default 20000); WARMUP discarded bursts a side (default 5)
#   ROUNDS  driver_bench rounds (default 3; 0 skips the secondary part)
#   GAP_MS  pause before every burst, letting the log writer of the previous burst finish
#           (default 0)
#   PIN=1   with taskset and at least 6 usable CPUs: client on, client off on one CPU each,
#           each agent (its session workers inherit it) on its own half of the rest, disjoint
# Builds launch_pairs and driver_bench with cc against native/include and the distribution's
# libcuda.so.1, so it needs no CUDA toolkit. Exit status 0 when the table was written.
set -uo pipefail
PAIRS=${1:-300}
BACKEND=${2:-auto}
BURST=${BURST:-$([ -n "${QUICK:-}" ] && echo 2000 || echo 20000)}
WARMUP=${WARMUP:-$([ -n "${QUICK:-}" ] && echo 3 || echo 5)}
ROUNDS=${ROUNDS:-$([ -n "${QUICK:-}" ] && echo 1 || echo 3)}
GAP_MS=${GAP_MS:-0}
need_count() { # NAME VALUE MIN
  [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le 1000000000 ] \
    || { echo "log-overhead-bench: $1 is '$2'; expected a whole number in $3..1000000000" >&2; exit 2; }
}
need_count PAIRS "$PAIRS" 1; need_count BURST "$BURST" 1; need_count WARMUP "$WARMUP" 0
need_count ROUNDS "$ROUNDS" 0; need_count GAP_MS "$GAP_MS" 0
case $BACKEND in auto|cuda|emulator) ;; *)
  echo "log-overhead-bench: BACKEND is '$BACKEND'; expected auto, cuda or emulator" >&2; exit 2 ;;
esac
[ "$PAIRS" -ge 20 ] || echo "log-overhead-bench: only $PAIRS pairs; the confidence interval will be wide" >&2

root=$(pwd)
dist=${DIST:-$root/cli/target/gpumigrate}
out=${LOGDIR:-/tmp/log-bench}
ptx=$root/benchmarks/bench_kernels.ptx
[ -x "$dist/bin/gpumigrate" ] || { echo "log-overhead-bench: no distribution at $dist (build it, or set DIST)" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out/data"
for prog in launch_pairs driver_bench; do
  cc -O2 -I"$root/native/include" -o "$out/$prog" "$root/benchmarks/$prog.c" \
     -L"$dist/lib/native" -l:libcuda.so.1 || { echo "log-overhead-bench: cannot build $prog" >&2; exit 1; }
done

# Core pinning (PIN=1): CPU lists for the two agents and the two clients, or all empty.
cpus_agent_on='' cpus_agent_off='' cpus_client_on='' cpus_client_off=''
if [ "${PIN:-0}" = 1 ]; then
  read -r -a cpus < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
  share=$(( (${#cpus[@]} - 2) / 2 ))
  if ! command -v taskset >/dev/null 2>&1; then
    echo "log-overhead-bench: PIN=1 but taskset is not installed; running unpinned" >&2
  elif [ "$share" -lt 2 ]; then
    echo "log-overhead-bench: PIN=1 needs at least 6 usable CPUs, this process has ${#cpus[@]}; running unpinned" >&2
  else
    cpus_client_on=${cpus[0]}; cpus_client_off=${cpus[1]}
    cpus_agent_on=$(IFS=,; echo "${cpus[*]:2:share}")
    cpus_agent_off=$(IFS=,; echo "${cpus[*]:2+share:share}")
    echo "pinned: agent on $cpus_agent_on, agent off $cpus_agent_off, client on $cpus_client_on, client off $cpus_client_off" >&2
  fi
fi
pin_prefix() { # CPUS: prints "taskset -c CPUS" or nothing
  [ -n "$1" ] && echo "taskset -c $1"
}

on_port=17741; off_port=17742
# shellcheck disable=SC2046 # pin_prefix prints separate words on purpose
$(pin_prefix "$cpus_agent_on") "$dist/bin/gpumigrate" agent --name logged --port $on_port --backend "$BACKEND" \
  --data-dir "$out/data" >"$out/agent-logged.log" 2>&1 &
on_pid=$!
# shellcheck disable=SC2046
$(pin_prefix "$cpus_agent_off") "$dist/bin/gpumigrate" agent --name unlogged --port $off_port --backend "$BACKEND" \
  --no-log >"$out/agent-unlogged.log" 2>&1 &
off_pid=$!
trap 'kill $on_pid $off_pid 2>/dev/null; wait $on_pid $off_pid 2>/dev/null' EXIT
wait_port() { # PORT PID NAME
  for _ in $(seq 1 300); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "log-overhead-bench: agent $3 exited while starting; see $out/agent-$3.log" >&2; return 1; }
    sleep 0.2
  done
  echo "log-overhead-bench: agent $3 is not listening on port $1 after 60 s; see $out/agent-$3.log" >&2
  return 1
}
wait_port $on_port $on_pid logged && wait_port $off_port $off_pid unlogged || exit 1

# Main measure: the paired bursts, one line a pair in pairs.csv.
python3 - "$out" "$dist/bin/gpumigrate" "$out/launch_pairs" "$ptx" "$PAIRS" "$BURST" "$WARMUP" "$GAP_MS" \
    "on:$on_port:$on_pid:logged:$cpus_client_on" "off:$off_port:$off_pid:unlogged:$cpus_client_off" <<'PY' || exit 1
import os, select, subprocess, sys, time
out, gpumigrate, client, ptx = sys.argv[1:5]
pairs, burst, warmup, gap_ms = map(int, sys.argv[5:9])
REPLY_TIMEOUT_S = 600

class ClientFailed(Exception):
    pass

class Client:
    """One launch_pairs process through `gpumigrate run`, commanded line by line."""
    def __init__(self, spec):
        self.side, port, self.agent_pid, self.agent, cpus = spec.split(':')
        self.port, self.agent_pid = int(port), int(self.agent_pid)
        self.log = f'{out}/client-{self.side}.log'
        command = [gpumigrate, 'run', '--agent', f'127.0.0.1:{port}', '--', client, ptx]
        if cpus:
            command = ['taskset', '-c', cpus] + command
        with open(self.log, 'w') as log:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        self.pending = b''

    def fail(self, what):
        agent_log = f'{out}/agent-{self.agent}.log'
        msg = f'launch_pairs on the log-{self.side} agent (port {self.port}) {what}; see {self.log}'
        try:
            os.kill(self.agent_pid, 0)
            msg += f' and {agent_log}'
        except OSError:
            msg += f'; the agent has exited too: see {agent_log}'
        with open(self.log, errors='replace') as log:
            last = log.readlines()[-3:]
        raise ClientFailed(msg + ''.join(f'\n  {line.rstrip()}' for line in last))

    def reply(self, word):
        """The rest of the next stdout line that starts with word; other lines go to stderr."""
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while True:
            while b'\n' not in self.pending:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                    self.fail(f'sent no {word} within {REPLY_TIMEOUT_S} s')
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    self.fail(f'ended (exit status {self.proc.wait()}) instead of answering {word}')
                self.pending += chunk
            line, self.pending = self.pending.split(b'\n', 1)
            text = line.decode(errors='replace').strip()
            if text == word or text.startswith(word + ' '):
                return text[len(word):].strip()
            print(f'client {self.side}: {text}', file=sys.stderr)

    def send(self, command):
        try:
            self.proc.stdin.write(command.encode() + b'\n')
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.fail(f'closed its input before "{command}" (exit status {self.proc.wait()})')

    def burst(self, n):
        if gap_ms:
            time.sleep(gap_ms / 1000)
        self.send(f'burst {n}')
        return float(self.reply('BURST'))

    def finish(self):
        self.send('quit')
        self.proc.stdin.close()
        self.reply('PASS')
        status = self.proc.wait(timeout=60)
        if status != 0:
            self.fail(f'exited with status {status} after PASS')

    def stop(self):
        """Ends the process whatever state it is in (end of input first, then a kill)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

clients = {}
try:
    for spec in sys.argv[9:11]:
        c = Client(spec)
        clients[c.side] = c
    for c in clients.values():
        c.reply('READY')
    for _ in range(warmup):
        for side in ('on', 'off'):
            clients[side].burst(burst)
    with open(f'{out}/pairs.csv', 'w') as csv:
        csv.write('pair,first,on_launches_per_s,off_launches_per_s,ratio\n')
        for i in range(pairs):
            order = ('on', 'off') if i % 2 == 0 else ('off', 'on')
            rate = {side: clients[side].burst(burst) for side in order}
            csv.write(f"{i},{order[0]},{rate['on']:.6e},{rate['off']:.6e},{rate['on'] / rate['off']:.6f}\n")
            if (i + 1) % max(1, pairs // 10) == 0:
                print(f'pair {i + 1}/{pairs} done', file=sys.stderr)
    for c in clients.values():
        c.finish()
except ClientFailed as e:
    print(f'log-overhead-bench: {e}', file=sys.stderr)
    sys.exit(1)
finally:
    for c in clients.values():
        c.stop()
PY

# Secondary: driver_bench whole, alternating between the agents, ROUNDS times.
bench() { # PORT FILE CPUS
  # shellcheck disable=SC2046
  $(pin_prefix "$3") "$dist/bin/gpumigrate" run --agent 127.0.0.1:"$1" -- "$out/driver_bench" "$ptx" \
      ${QUICK:+--quick} >>"$2" 2>&1 || echo "log-overhead-bench: driver_bench failed on port $1; see $2" >&2
}
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then
    bench $on_port "$out/on.txt" "$cpus_client_on"; bench $off_port "$out/off.txt" "$cpus_client_off"
  else
    bench $off_port "$out/off.txt" "$cpus_client_off"; bench $on_port "$out/on.txt" "$cpus_client_on"
  fi
  echo "driver_bench round $r/$ROUNDS done" >&2
done
echo "logs recorded: $(ls "$out/data/logs" 2>/dev/null | wc -l), $(du -sh "$out/data/logs" 2>/dev/null | cut -f1)" >&2

python3 - "$out" "$BACKEND" "$BURST" "$WARMUP" "${cpus_agent_on:+pinned}" <<'PY'
import csv, math, os, re, statistics, sys
out, backend, burst, warmup, pinned = sys.argv[1:6]
TARGET = 0.97

def median_ci(sorted_values, level=0.95):
    """Distribution-free interval [x(k), x(n+1-k)] (1-based) for the median, with the largest k
    whose coverage 1 - 2 P(Binomial(n, 1/2) < k) is still >= level; (low, high, coverage)."""
    n = len(sorted_values)
    below = lambda k: sum(math.comb(n, i) for i in range(k)) / 2 ** n
    k = 1
    while k + 1 <= (n + 1) // 2 and 1 - 2 * below(k + 1) >= level:
        k += 1
    return sorted_values[k - 1], sorted_values[n - k], 1 - 2 * below(k)

rows = list(csv.DictReader(open(f'{out}/pairs.csv')))
ratios = sorted(float(r['ratio']) for r in rows)
on = [float(r['on_launches_per_s']) for r in rows]
off = [float(r['off_launches_per_s']) for r in rows]
first = {side: [float(r['ratio']) for r in rows if r['first'] == side] for side in ('on', 'off')}
n = len(ratios)
med = statistics.median(ratios)
low, high, coverage = median_ci(ratios)
q1, _, q3 = statistics.quantiles(ratios, n=4, method='inclusive') if n > 1 else (med, med, med)
ventiles = statistics.quantiles(off, n=20, method='inclusive') if n > 1 else [off[0]] * 19
p5, p95 = ventiles[0], ventiles[18]
if low >= TARGET:
    verdict = f'met: the whole interval is >= {TARGET}'
elif high < TARGET:
    verdict = f'missed: the whole interval is < {TARGET}'
else:
    verdict = f'undecided: the interval contains {TARGET} (more pairs, PIN=1 or a quieter host may narrow it)'
fmt = lambda v: f'{v:.4g}'
table = [f'Replay log overhead, backend {backend}{", pinned" if pinned else ""}: log on vs log off',
         '',
         f'Paired bursts (main measure): {n} pairs of {burst}-launch bursts, {warmup} warm-up bursts a side discarded;'
         ' ratio = launches/s log on / log off, per pair',
         '',
         '| measure | value |', '| --- | --- |',
         f'| median ratio on/off | {med:.4f} |',
         f'| 95% confidence interval of the median (order statistics, coverage {coverage:.1%}) | {low:.4f} .. {high:.4f} |',
         f'| interquartile range of the ratios | {q1:.4f} .. {q3:.4f} |',
         f'| median launches/s, log off | {fmt(statistics.median(off))} |',
         f'| median launches/s, log on | {fmt(statistics.median(on))} |',
         f'| median ratio, log-on burst first / log-off burst first |'
         f' {statistics.median(first["on"]) if first["on"] else float("nan"):.4f} /'
         f' {statistics.median(first["off"]) if first["off"] else float("nan"):.4f} |',
         f'| log-off launches/s over the run, 5th .. 95th percentile (spread that pairing removes) | {fmt(p5)} .. {fmt(p95)} |',
         f'| target: ratio >= {TARGET} | {verdict} |']

def results(path):
    found = {}
    if os.path.exists(path):
        for line in open(path):
            m = re.match(r'RESULT (\S+) (\S+)', line)
            if m:
                found.setdefault(m.group(1), []).append(float(m.group(2)))
    return found
on_runs, off_runs = results(f'{out}/on.txt'), results(f'{out}/off.txt')
targets = {'launches_per_s': '>= 0.97', 'launch_sync_us': '<= 1.03', 'htod_pageable_GBps': '-', 'dtoh_pageable_GBps': '-'}
secondary = [(k, t) for k, t in targets.items() if k in on_runs and k in off_runs]
if secondary:
    table += ['', 'driver_bench, whole runs alternated (secondary; each run\'s own median, then the median of the runs)',
              '', '| measure | log off | log on | on/off | target |', '| --- | --- | --- | --- | --- |']
    for k, t in secondary:
        a, b = statistics.median(off_runs[k]), statistics.median(on_runs[k])
        table.append(f'| {k} (median of {len(on_runs[k])}) | {a:.4g} | {b:.4g} | {b / a:.3f} | {t} |')
text = '\n'.join(table)
open(f'{out}/table.md', 'w').write(text + '\n')
print(text)
PY
