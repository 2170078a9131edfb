#!/usr/bin/env bash
# tests/system/helper_held_node.sh: not a test by itself (run-all runs only
# test_*.sh); test_n_interrupt.sh runs it and interrupts it. It starts a node
# with one worker, a ping to it in the background and an HTTP server in the
# client namespace, prints "held: <prefix>" and then waits (up to 60 s) for
# nothing, so that whoever runs it can interrupt it while the node is up.
# Out: exit 1 after 60 s if nobody interrupted it.
. "$(dirname "$0")/lib.sh"
need_bins dpvs-primary dpvs-worker dpvs-ctl dpvs-kni-bridge dpvsctl

node_start a 1
node_add_addr a
bg ip netns exec "$(nsc_of a)" ping -n -i 0.2 "$(node_addr a)" >/dev/null 2>&1
bg ip netns exec "$(nsc_of a)" "$T_PY" -m http.server --bind "$(client_addr a)" 8080 >/dev/null 2>&1
echo "held: $(prefix_of a)"
wait_until 60 false
fail "nobody interrupted the held node within 60 s"
